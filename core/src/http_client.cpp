#include <orchestrade/core/http_client.hpp>

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace orchestrade::core {

namespace {

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// Failures before a connection existed: the server cannot have seen any of the request.
bool failed_before_sending(CURLcode rc) {
    return rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_COULDNT_CONNECT;
}

struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct EasyDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

}  // namespace

HttpClient::HttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::send(const HttpRequest& request) const {
    HttpResult result;
    std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
    if (!curl) {
        result.error = "cannot create an HTTP handle";
        return result;
    }
    CURL* c = curl.get();
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    for (const auto& h : request.headers) {
        curl_slist* next = curl_slist_append(headers.get(), h.c_str());
        if (!next) {
            result.error = "out of memory building headers";
            return result;
        }
        headers.release();
        headers.reset(next);
    }
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.timeout_ms < 5000 ? request.timeout_ms : 5000));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &append);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &result.headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "orchestrade/" ORCHESTRADE_VERSION);
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        result.error = error[0] ? error : curl_easy_strerror(rc);
        result.not_sent = failed_before_sending(rc);
        return result;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    result.ok = true;
    result.status = static_cast<int>(status);
    return result;
}

}  // namespace orchestrade::core
