#pragma once
// isolated(call): runs `call` -- the part of a test that calls the student's code -- in a
// forked child process and gives its result back to the test, which checks it here, in a
// process where no student code ever runs.
//
// Why: the grader decides that a case passed from what this process reports. If the
// student's code ran here too, it could report a pass itself (it can read anything in its
// own process). In the child it cannot: the child has no way to reach the grader (the
// result channel is closed there before any student code runs, and this process cannot be
// read or traced from the child), and all it can hand back is a value that this process
// then compares with the right answer.
//
// How a test uses it:
//
//   const Chunks c = parlab_test::isolated([&] { return chunks(r, size); });
//   CHECK(c == expected_equal_chunks(r, size));            // checked in the test process
//
//   CHECK_THROWS_AS(parlab_test::isolated([] { chunks({0, 9}, 0); }), std::invalid_argument);
//
// The rules that keep the design sound, for whoever writes a test:
//   - Call student code (functions, objects, anything from an editable file) only inside an
//     isolated() call. Everything that needs the same object (push, then pop, then close)
//     goes into one call, which returns what the checks need: a value, a struct, a vector.
//   - No CHECK or REQUIRE inside the call: the child's assertions are not counted (the test
//     then fails, naming the line). Return the observation; check it outside.
//   - The result is copied back: a type nlohmann::json can convert (numbers, strings,
//     bool, std containers of those, std::optional, std::chrono durations, or a type with
//     to_json/from_json), or a trivially copyable struct.
//   - An exception thrown in the child is thrown again here with the same type and
//     message, for the standard exceptions and for every type a test registers with
//     PARLAB_ISOLATED_EXCEPTION(Type) (at namespace scope, in the test file).
//   - If the child crashes, exits or is killed before it returns, this process ends the
//     same way (same signal or exit code), after saying so on stderr: to the grader and to
//     ctest the outcome is what it was when the code ran in the test process itself.
//   - A hang in the child is reported by the case watchdog with the child's threads.

#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

// nlohmann/json 3.11 (Debian 12 and 13) converts neither std::optional nor std::chrono
// durations; isolated() results use both.
namespace nlohmann {
#if NLOHMANN_JSON_VERSION_MAJOR == 3 && NLOHMANN_JSON_VERSION_MINOR <= 11
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value) {
      j = *value;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null()) {
      value.reset();
    } else {
      value = j.get<T>();
    }
  }
};
#endif
template <class Rep, class Period>
struct adl_serializer<std::chrono::duration<Rep, Period>> {
  static void to_json(json& j, const std::chrono::duration<Rep, Period>& d) { j = d.count(); }
  static void from_json(const json& j, std::chrono::duration<Rep, Period>& d) {
    d = std::chrono::duration<Rep, Period>(j.get<Rep>());
  }
};
}  // namespace nlohmann

namespace parlab_test {

namespace detail {

// One exception type that can cross from the child to the test process.
struct ExceptionKind {
  std::string name;
  // In the child: whether the exception is of this type (or derived from it); if so, its what().
  bool (*matches)(const std::exception_ptr&, std::string& what);
  // In the test process: throws an exception of this type with that message (never returns).
  void (*rethrow)(const std::string& what);
};

void register_exception_kind(ExceptionKind kind);

template <class E>
[[noreturn]] void throw_with_message(const std::string& what) {
  if constexpr (std::is_constructible_v<E, const std::string&>) {
    throw E(what);
  } else if constexpr (std::is_constructible_v<E, const char*>) {
    throw E(what.c_str());
  } else {
    static_assert(std::is_default_constructible_v<E>, "PARLAB_ISOLATED_EXCEPTION needs a type made from a message or from nothing");
    throw E();
  }
}

template <class E>
bool is_exception_of_type(const std::exception_ptr& thrown, std::string& what) {
  try {
    std::rethrow_exception(thrown);
  } catch (const E& e) {
    if constexpr (std::is_base_of_v<std::exception, E>) what = e.what();
    return true;
  } catch (...) {
    return false;
  }
}

template <class E>
ExceptionKind exception_kind(std::string name) {
  return {std::move(name), &is_exception_of_type<E>, &throw_with_message<E>};
}

template <class E>
struct ExceptionRegistration {
  explicit ExceptionRegistration(const char* name) { register_exception_kind(exception_kind<E>(name)); }
};

// The two halves of isolated(), with the value already turned into text.
// run_isolated: forks; the child runs `produce` (which returns the encoded result) and
// sends it; the test process returns the text, rethrows the child's exception, or ends as
// the child ended.
std::string run_isolated(const std::function<std::string()>& produce);

template <class T>
concept JsonConvertible = std::is_constructible_v<nlohmann::json, const T&> && requires(const nlohmann::json& j) { j.get<T>(); };

// Bytes as hex digits and back: what goes through the pipe is text the test process parses.
std::string to_hex(const void* data, std::size_t size);
std::string from_hex(const std::string& hex, std::size_t from);

// Numbers, and vectors of plain values, travel as their bytes: exactly (JSON has no NaN or
// infinity, and a NaN the student's code computed must reach the check that looks for it).
template <class T>
constexpr bool plain_value = std::is_arithmetic_v<T> || std::is_enum_v<T>;
template <class T>
struct PlainVector : std::false_type {};
template <class E, class A>
struct PlainVector<std::vector<E, A>> : std::bool_constant<std::is_trivially_copyable_v<E> && !std::is_same_v<E, bool>> {};

template <class T>
std::string encode(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return "s" + to_hex(value.data(), value.size());  // exactly, whatever bytes it holds
  } else if constexpr (plain_value<T>) {
    return "b" + to_hex(&value, sizeof(T));
  } else if constexpr (PlainVector<T>::value) {
    return "v" + to_hex(value.data(), value.size() * sizeof(typename T::value_type));
  } else if constexpr (JsonConvertible<T>) {
    // (a string inside that is not UTF-8 arrives with U+FFFD in place of the bad bytes)
    return "j" + nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    static_assert(std::is_trivially_copyable_v<T>,
                  "isolated(): return a value nlohmann::json converts, or a trivially copyable struct");
    return "b" + to_hex(&value, sizeof(T));
  }
}

// Throws std::runtime_error when the text is not a value of type T (a child that sent
// something else): the case then fails with that message.
[[noreturn]] void malformed_result(const char* why);

template <class T>
T decode(const std::string& text) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (text.empty() || text[0] != 's') malformed_result("not a string");
    return from_hex(text, 1);
  } else if constexpr (PlainVector<T>::value) {
    using E = typename T::value_type;
    const std::string bytes = text.empty() || text[0] != 'v' ? std::string() : from_hex(text, 1);
    if (text.empty() || text[0] != 'v' || bytes.size() % sizeof(E) != 0) malformed_result("not a vector of the type");
    T out(bytes.size() / sizeof(E));
    if (!out.empty()) std::memcpy(static_cast<void*>(out.data()), bytes.data(), bytes.size());
    return out;
  } else if constexpr (JsonConvertible<T> && !plain_value<T>) {
    if (text.empty() || text[0] != 'j') malformed_result("not JSON");
    try {
      return nlohmann::json::parse(text.begin() + 1, text.end()).get<T>();
    } catch (const nlohmann::json::exception& e) {
      malformed_result(e.what());
    }
  } else {
    const std::string bytes = text.empty() || text[0] != 'b' ? std::string() : from_hex(text, 1);
    if (bytes.size() != sizeof(T)) malformed_result("not the size of the type");
    T value;
    std::memcpy(static_cast<void*>(&value), bytes.data(), sizeof(T));
    return value;
  }
}

}  // namespace detail

// Runs `call` in a forked child process and returns what it returned (see the top of this file).
template <class F>
auto isolated(F&& call) -> std::invoke_result_t<F&> {
  using Result = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<Result>) {
    (void)detail::run_isolated([&]() -> std::string {
      std::invoke(call);
      return {};
    });
  } else {
    using Value = std::remove_cvref_t<Result>;
    return detail::decode<Value>(detail::run_isolated([&]() -> std::string { return detail::encode<Value>(std::invoke(call)); }));
  }
}

// True in the child of an isolated() call (for the test library itself).
[[nodiscard]] bool in_isolated_child() noexcept;

}  // namespace parlab_test

#ifndef PARLAB_TEST_ISOLATED_NO_MARKER
// A program whose tests include this header calls the student's code only in isolated()
// children: with this marker, the student's initialisers run there and not at start-up
// (see parlab/student_initialisers.hpp). Weak, so that every test file may define it.
extern "C" {
__attribute__((weak)) bool parlab_test_checks_isolated = true;  // (read only by its address)
}
#endif

// Lets exceptions of type `Type` cross isolated() with their type and message. At namespace
// scope in a test file, once per type (the standard exceptions need no registration).
#define PARLAB_ISOLATED_EXCEPTION_JOIN2(a, b) a##b
#define PARLAB_ISOLATED_EXCEPTION_JOIN(a, b) PARLAB_ISOLATED_EXCEPTION_JOIN2(a, b)
#define PARLAB_ISOLATED_EXCEPTION(Type)                                                                          \
  static const ::parlab_test::detail::ExceptionRegistration<Type> PARLAB_ISOLATED_EXCEPTION_JOIN(               \
      parlab_isolated_exception_, __LINE__) {                                                                    \
    #Type                                                                                                        \
  }
