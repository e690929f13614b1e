#ifndef MLAB_LIB_METRICS_ATOMIC_DOUBLE_H_
#define MLAB_LIB_METRICS_ATOMIC_DOUBLE_H_

#include <atomic>
#include <cstdint>
#include <cstring>

namespace mlab::metrics::internal {

// A double that can be read and updated from many threads without a lock.
// std::atomic<double>::fetch_add is C++20, so Add is a compare-and-swap loop on the bit pattern.
class AtomicDouble {
 public:
  explicit AtomicDouble(double value = 0) : bits_(ToBits(value)) {}

  double Load() const { return FromBits(bits_.load(std::memory_order_relaxed)); }
  void Store(double value) { bits_.store(ToBits(value), std::memory_order_relaxed); }

  void Add(double delta) {
    uint64_t old_bits = bits_.load(std::memory_order_relaxed);
    while (!bits_.compare_exchange_weak(old_bits, ToBits(FromBits(old_bits) + delta),
                                        std::memory_order_relaxed)) {
    }
  }

 private:
  static uint64_t ToBits(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    return bits;
  }
  static double FromBits(uint64_t bits) {
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }

  std::atomic<uint64_t> bits_;
};

}  // namespace mlab::metrics::internal

#endif  // MLAB_LIB_METRICS_ATOMIC_DOUBLE_H_
