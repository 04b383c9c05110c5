// The C API boundary: every exported function body runs inside guarded(), which
// turns exceptions into a status code and the thread's last-error text. Nothing
// thrown inside the library crosses into C.
#pragma once

#include <new>
#include <string>

#include "swaprun/swaprun.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::api {

// Records the message as this thread's last error and logs it at Debug level.
void set_last_error(const char* message) noexcept;
swr_status status_of(ErrorKind kind) noexcept;

template <class F>
swr_status guarded(F&& body) noexcept {
    try {
        body();
        return SWR_OK;
    } catch (const Error& e) {
        set_last_error(e.what());
        return status_of(e.kind());
    } catch (const std::bad_alloc&) {
        set_last_error("out of memory");
        return SWR_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(e.what());
        return SWR_ERROR_INTERNAL;
    } catch (...) {
        set_last_error("unknown internal error");
        return SWR_ERROR_INTERNAL;
    }
}

// Throws InvalidArgument for a null argument.
inline void require(const void* pointer, const char* function, const char* argument) {
    if (pointer == nullptr) {
        throw Error(ErrorKind::InvalidArgument, str_cat(function, ": ", argument, " is NULL"));
    }
}

}  // namespace swaprun::api
