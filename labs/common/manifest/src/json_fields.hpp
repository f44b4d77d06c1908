#pragma once
// Reading one JSON object of a manifest with errors that name the file, the key (as a path
// such as tasks[2].points) and what was expected. Internal to parlab_manifest.

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace parlab::manifest::detail {

class Fields {
 public:
  // Throws unless `object` is a JSON object. `where` is its path in the file ("" at the top).
  Fields(const nlohmann::json& object, std::filesystem::path file, std::string where);

  [[nodiscard]] std::string text(const char* key) const;  // a required string
  [[nodiscard]] std::string text_or(const char* key, const std::string& fallback) const;
  [[nodiscard]] double number(const char* key) const;     // a required number
  [[nodiscard]] bool flag_or(const char* key, bool fallback) const;
  [[nodiscard]] std::vector<std::string> texts(const char* key) const;  // an array of strings; [] when absent
  // The objects of an array; a required array must hold at least one.
  [[nodiscard]] std::vector<Fields> objects(const char* key, bool required) const;
  [[nodiscard]] std::optional<Fields> object_if_present(const char* key) const;
  [[nodiscard]] bool has(const char* key) const { return object_->contains(key); }

  // A misspelt key would silently mean the default: refuse every key not in `known`.
  void allow_only(std::initializer_list<const char*> known) const;
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

 private:
  [[nodiscard]] const nlohmann::json& required(const char* key, const char* expected) const;
  [[nodiscard]] const nlohmann::json* present(const char* key, nlohmann::json::value_t type, const char* expected) const;
  [[nodiscard]] std::string path_of(const std::string& key) const;

  const nlohmann::json* object_;
  std::filesystem::path file_;
  std::string where_;
};

}  // namespace parlab::manifest::detail
