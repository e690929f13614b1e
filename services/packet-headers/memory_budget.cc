#include "services/packet-headers/memory_budget.h"

namespace mlab::packet_headers {

bool MemoryBudget::TryChargeUpTo(int64_t bytes, int64_t limit) {
  if (pressure_.load(std::memory_order_relaxed)) return false;
  int64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + bytes > limit) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

}  // namespace mlab::packet_headers
