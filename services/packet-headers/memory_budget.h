#ifndef MLAB_SERVICES_PACKET_HEADERS_MEMORY_BUDGET_H_
#define MLAB_SERVICES_PACKET_HEADERS_MEMORY_BUDGET_H_

#include <atomic>
#include <cstdint>

namespace mlab::packet_headers {

// Our own accounting of the bytes flows hold (buffered headers, compressed output, deflate
// state, flow table entries), so -maxheap is enforced per packet without asking the allocator.
//
// Two thresholds: new flows (and flows still waiting for a UUID) may only use up to 7/8 of the
// limit, so flows already being saved keep headroom to finish; they may use all of it.
// Thread-safe and lock-free.
class MemoryBudget {
 public:
  explicit MemoryBudget(int64_t limit) : limit_(limit), new_flow_limit_(limit - limit / 8) {}

  // For flows being saved: charges `bytes` if the total stays within the limit.
  bool TryCharge(int64_t bytes) { return TryChargeUpTo(bytes, limit_); }
  // For new flows and flows without a UUID: the same, within the lower threshold.
  bool TryChargeNewFlow(int64_t bytes) { return TryChargeUpTo(bytes, new_flow_limit_); }
  // Charges unconditionally: for memory already committed to a flow we keep.
  void Charge(int64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
  void Release(int64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  // Set while the process as a whole is above its cap (e.g. allocator overhead we do not
  // account): new flows are refused until it clears.
  void SetPressure(bool on) { pressure_.store(on, std::memory_order_relaxed); }

  // True when new flows are refused.
  bool Exhausted() const {
    return pressure_.load(std::memory_order_relaxed) ||
           used_.load(std::memory_order_relaxed) >= new_flow_limit_;
  }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  bool TryChargeUpTo(int64_t bytes, int64_t limit);

  const int64_t limit_;
  const int64_t new_flow_limit_;
  std::atomic<int64_t> used_{0};
  std::atomic<bool> pressure_{false};
};

}  // namespace mlab::packet_headers

#endif  // MLAB_SERVICES_PACKET_HEADERS_MEMORY_BUDGET_H_
