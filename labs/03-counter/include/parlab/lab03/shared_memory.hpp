#pragma once
// Given (read it, do not edit it): memory that stays shared across fork().
//
// A normal allocation is copied (copy-on-write) into every child that fork() creates:
// a child's increment of "the" counter changes only its own copy. A mapping made with
// mmap(MAP_SHARED | MAP_ANONYMOUS) *before* fork() is the same physical memory in the
// parent and in every child, so an atomic or a process-shared mutex placed in it works
// across processes.

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace parlab::lab03 {

// Owns one shared anonymous mapping: mmap in the constructor, munmap in the destructor.
// The memory starts zero-filled and page-aligned.
class SharedMapping {
 public:
  SharedMapping() noexcept = default;
  // Throws std::invalid_argument for 0 bytes and std::system_error when mmap fails.
  explicit SharedMapping(std::size_t bytes);
  ~SharedMapping();
  SharedMapping(SharedMapping&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  SharedMapping& operator=(SharedMapping&& other) noexcept;
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;

  [[nodiscard]] void* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// One T built inside its own SharedMapping. Children forked after construction see the
// same object. The destructor runs ~T() once, in the process that owns the Shared<T>:
// children made with parlab::ChildProcess leave through _exit and run no destructors.
template <class T>
class Shared {
  static_assert(alignof(T) <= 4096, "a mapping is page-aligned, not more");

 public:
  template <class... Args>
  explicit Shared(Args&&... args)
      : mapping_(sizeof(T)), object_(::new (mapping_.data()) T(std::forward<Args>(args)...)) {}
  ~Shared() {
    if (object_ != nullptr) std::destroy_at(object_);
  }
  Shared(Shared&& other) noexcept
      : mapping_(std::move(other.mapping_)), object_(std::exchange(other.object_, nullptr)) {}
  Shared& operator=(Shared&&) = delete;
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  [[nodiscard]] T& operator*() const noexcept { return *object_; }
  [[nodiscard]] T* operator->() const noexcept { return object_; }
  [[nodiscard]] T* get() const noexcept { return object_; }

 private:
  SharedMapping mapping_;
  T* object_ = nullptr;
};

}  // namespace parlab::lab03
