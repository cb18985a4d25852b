// Sanitizer builds only (H4H_SANITIZE with address, gcc): gives AddressSanitizer the main
// stack's bounds when SystemC switches back to it.
//
// Debian 12's SystemC 2.3.4 announces every QuickThreads stack switch to ASan
// (__sanitizer_start_switch_fiber), but its main coroutine has no recorded stack (NULL, size
// 0). After the first switch back to sc_start's caller, ASan believes the main stack is
// empty: when an exception later unwinds it, __asan_handle_no_return cannot unpoison the
// unwound frames ("ASan is ignoring requested __asan_handle_no_return") and their stale
// redzones turn up as false stack-use-after-scope reports in whatever runs next. SystemC
// fixed this upstream after 2.3.4 by reading the old stack's bounds from
// __sanitizer_finish_switch_fiber; this does the same from outside. libsystemc references both
// functions weakly, so these definitions in the executable take precedence over libasan's,
// and forward to them.
#include <dlfcn.h>

#include <cstddef>

namespace {

using StartSwitchFn = void (*)(void**, const void*, std::size_t);
using FinishSwitchFn = void (*)(void*, const void**, std::size_t*);

// The main stack as ASan knew it before SystemC's first switch (always away from main).
const void* main_stack_bottom = nullptr;
std::size_t main_stack_size = 0;

}  // namespace

extern "C" void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom,
                                               std::size_t size) {
  static const auto real =
      reinterpret_cast<StartSwitchFn>(dlsym(RTLD_NEXT, "__sanitizer_start_switch_fiber"));
  if (real == nullptr) return;
  if (bottom == nullptr && size == 0) {  // SystemC's main coroutine
    bottom = main_stack_bottom;
    size = main_stack_size;
  }
  real(fake_stack_save, bottom, size);
}

extern "C" void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** old_bottom,
                                                std::size_t* old_size) {
  static const auto real =
      reinterpret_cast<FinishSwitchFn>(dlsym(RTLD_NEXT, "__sanitizer_finish_switch_fiber"));
  if (real == nullptr) return;
  const void* bottom = nullptr;
  std::size_t size = 0;
  real(fake_stack_save, &bottom, &size);
  if (main_stack_bottom == nullptr) {
    main_stack_bottom = bottom;
    main_stack_size = size;
  }
  if (old_bottom != nullptr) *old_bottom = bottom;
  if (old_size != nullptr) *old_size = size;
}
