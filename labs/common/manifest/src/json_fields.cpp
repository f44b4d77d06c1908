#include "json_fields.hpp"

#include <stdexcept>

namespace parlab::manifest::detail {

namespace {

using nlohmann::json;

// What a value is, for "expected a number, found a string".
std::string found(const json& value) {
  if (value.is_string()) return "a string (\"" + value.get<std::string>().substr(0, 40) + "\")";
  if (value.is_number()) return "a number (" + value.dump() + ")";
  if (value.is_boolean()) return std::string("a boolean (") + (value.get<bool>() ? "true" : "false") + ")";
  if (value.is_null()) return "null";
  return std::string(value.is_array() ? "an array" : "an object");
}

bool has_type(const json& value, json::value_t type) {
  if (type == json::value_t::number_float) return value.is_number();
  return value.type() == type;
}

}  // namespace

Fields::Fields(const json& object, std::filesystem::path file, std::string where)
    : object_(&object), file_(std::move(file)), where_(std::move(where)) {
  if (!object.is_object()) {
    throw std::runtime_error(file_.string() + ": " + (where_.empty() ? "the file" : where_) +
                             ": expected an object, found " + found(object));
  }
}

std::string Fields::path_of(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

void Fields::fail(const std::string& key, const std::string& problem) const {
  throw std::runtime_error(file_.string() + ": " + path_of(key) + ": " + problem);
}

const json& Fields::required(const char* key, const char* expected) const {
  if (!object_->contains(key)) {
    throw std::runtime_error(file_.string() + ": " + (where_.empty() ? "" : where_ + ": ") + "missing key '" + key +
                             "' (expected " + expected + ")");
  }
  return object_->at(key);
}

const json* Fields::present(const char* key, json::value_t type, const char* expected) const {
  if (!object_->contains(key)) return nullptr;
  const json& value = object_->at(key);
  if (!has_type(value, type)) fail(key, std::string("expected ") + expected + ", found " + found(value));
  return &value;
}

std::string Fields::text(const char* key) const {
  (void)required(key, "a string");
  return present(key, json::value_t::string, "a string")->get<std::string>();
}

std::string Fields::text_or(const char* key, const std::string& fallback) const {
  const json* value = present(key, json::value_t::string, "a string");
  return value == nullptr ? fallback : value->get<std::string>();
}

double Fields::number(const char* key) const {
  (void)required(key, "a number");
  return present(key, json::value_t::number_float, "a number")->get<double>();
}

bool Fields::flag_or(const char* key, bool fallback) const {
  const json* value = present(key, json::value_t::boolean, "true or false");
  return value == nullptr ? fallback : value->get<bool>();
}

std::vector<std::string> Fields::texts(const char* key) const {
  std::vector<std::string> out;
  const json* list = present(key, json::value_t::array, "an array of strings");
  if (list == nullptr) return out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& item = list->at(i);
    if (!item.is_string()) fail(std::string(key) + "[" + std::to_string(i) + "]", "expected a string, found " + found(item));
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<Fields> Fields::objects(const char* key, bool required_key) const {
  if (required_key) (void)required(key, "an array of objects");
  std::vector<Fields> out;
  const json* list = present(key, json::value_t::array, "an array of objects");
  if (list == nullptr) return out;
  if (required_key && list->empty()) fail(key, "expected at least one entry, found an empty array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    out.emplace_back(list->at(i), file_, path_of(std::string(key) + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::optional<Fields> Fields::object_if_present(const char* key) const {
  const json* value = present(key, json::value_t::object, "an object");
  if (value == nullptr) return std::nullopt;
  return Fields(*value, file_, path_of(key));
}

void Fields::allow_only(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : object_->items()) {
    bool is_known = false;
    std::string list;
    for (const char* k : known) {
      is_known = is_known || key == k;
      list += (list.empty() ? "" : ", ") + std::string(k);
    }
    if (!is_known) {
      throw std::runtime_error(file_.string() + ": " + (where_.empty() ? "" : where_ + ": ") + "unknown field '" + key +
                               "'; the keys allowed here are " + list);
    }
  }
}

}  // namespace parlab::manifest::detail
