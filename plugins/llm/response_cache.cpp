#include "response_cache.hpp"

#include <fstream>
#include <stdexcept>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

std::string kv_key(const std::string& hash) {
    return "cache/" + hash;
}

std::optional<ReplyKind> recorded_kind(const std::string& name) {
    for (ReplyKind k : {ReplyKind::Answer, ReplyKind::Truncated, ReplyKind::Refused})
        if (name == to_string(k)) return k;
    return std::nullopt;
}

std::string to_record(const Reply& r) {
    json usage = {{"input", r.usage.input},
                  {"cached_input", r.usage.cached_input},
                  {"cache_write", r.usage.cache_write},
                  {"output", r.usage.output}};
    return json{{"kind", to_string(r.kind)}, {"text", r.text}, {"error", r.error}, {"usage", usage}}
        .dump();
}

std::optional<Reply> from_record(const std::string& record) {
    json j = json::parse(record, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    std::optional<ReplyKind> kind = recorded_kind(json_text(j, "kind"));
    if (!kind) return std::nullopt;
    Reply r;
    r.kind = *kind;
    r.text = json_text(j, "text");
    r.error = json_text(j, "error");
    const json usage = j.contains("usage") && j["usage"].is_object() ? j["usage"] : json::object();
    auto count = [&](const char* key) {
        return usage.contains(key) && usage[key].is_number_integer() ? usage[key].get<int64_t>()
                                                                     : 0;
    };
    r.usage.input = count("input");
    r.usage.cached_input = count("cached_input");
    r.usage.cache_write = count("cache_write");
    r.usage.output = count("output");
    return r;
}

}  // namespace

ResponseCache::ResponseCache(const sdk::Host& host, CacheMode mode, std::string file)
    : host_(host), mode_(mode), file_(std::move(file)) {}

void ResponseCache::load_file() {
    if (loaded_) return;
    loaded_ = true;
    std::ifstream in(file_);
    std::string line;
    while (std::getline(in, line)) {
        json j = json::parse(line, nullptr, false);
        if (!j.is_object() || json_text(j, "hash").empty() || !j.contains("record")) continue;
        entries_[json_text(j, "hash")] = j["record"].dump();
    }
}

std::optional<Reply> ResponseCache::find(const std::string& hash) {
    if (mode_ == CacheMode::Off) return std::nullopt;
    std::optional<std::string> record;
    if (file_.empty()) {
        record = host_.kv_get(kv_key(hash));
    } else {
        load_file();
        if (auto it = entries_.find(hash); it != entries_.end()) record = it->second;
    }
    return record ? from_record(*record) : std::nullopt;
}

void ResponseCache::store(const std::string& hash, const Reply& reply) {
    if (mode_ != CacheMode::ReadWrite || !recorded_kind(to_string(reply.kind))) return;
    std::string record = to_record(reply);
    if (file_.empty()) {
        host_.kv_set(kv_key(hash), record);
        return;
    }
    load_file();
    std::ofstream out(file_, std::ios::app);
    out << json{{"hash", hash}, {"record", json::parse(record)}}.dump() << '\n';
    if (!out) throw std::runtime_error("cannot append to the response cache " + file_);
    entries_[hash] = record;
}

}  // namespace orchestrade::llm
