//! Running short of memory without dying.
//!
//! In wasm32 a failed allocation aborts, and an abort kills the instance: every later call
//! traps. Rust has no stable way to turn that into an error, so rapport does three things:
//!
//! 1. Every allocation in proportion to the input or the output is bounded by a limit that
//!    gives a coded error up front (`TOO_LARGE`), or is reserved fallibly (`try_reserve`).
//! 2. In wasm32 the global allocator (`Guarded`, wasm32 only) keeps a reserve of [`RESERVE_BYTES`]. When
//!    an allocation fails it gives the reserve back and tries once more, so the small
//!    allocations of a call can still be served, and it notes that memory ran short.
//! 3. Each API call runs through [`call`]: it is refused up front when the reserve cannot be
//!    re-armed (memory is full), and it ends in `TOO_LARGE` when it had to dip into the
//!    reserve; long loops check [`short`] and stop early. Calls that change state check before
//!    they change anything, so a refused call leaves state as it was.

use std::cell::Cell;

use crate::error::{ErrorCode, RapportError, Result};

/// Bytes the allocator keeps back for the calls that run short.
pub const RESERVE_BYTES: usize = 8 << 20;

thread_local! {
    /// Whether memory ran short during the current call. Const-initialised and without a
    /// destructor, so the allocator may set it without allocating.
    static SHORT: Cell<bool> = const { Cell::new(false) };
    /// How deep in [`call`]s we are: only the outermost resets and judges `SHORT`.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

fn set_short(v: bool) -> bool {
    SHORT.with(|s| s.replace(v))
}

/// Whether memory ran short during the current call (allocations now come from the reserve).
pub fn short() -> bool {
    SHORT.with(Cell::get)
}

fn too_large() -> RapportError {
    RapportError::new(
        ErrorCode::TooLarge,
        "not enough memory for this call: give it less input at a time, or free scorers no longer needed",
    )
}

/// An error if memory ran short: for the checkpoints of long loops.
pub fn check() -> Result<()> {
    if short() {
        Err(too_large())
    } else {
        Ok(())
    }
}

/// Runs one API call under the memory guard (see the module documentation). Calls nest: an
/// inner one runs as part of the outer.
pub fn call<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let depth = DEPTH.with(|d| d.replace(d.get() + 1));
    if depth > 0 {
        let result = f();
        DEPTH.with(|d| d.set(depth));
        return result.and_then(|r| check().map(|()| r));
    }
    let result = if reserve::arm() {
        set_short(false);
        f()
    } else {
        Err(too_large())
    };
    DEPTH.with(|d| d.set(0));
    if set_short(false) {
        drop(result);
        reserve::arm();
        return Err(too_large());
    }
    result
}

/// Before a call changes state: `TOO_LARGE` when memory is too full to hold the reserve.
pub fn ready() -> Result<()> {
    call(|| Ok(()))
}

/// The wasm32 heap: dlmalloc (std's allocator there), over memory grown in large steps.
///
/// std's own dlmalloc grows the module's memory by what each request needs, often 64 KiB at
/// a time, and a `memory.grow` costs V8 about half a millisecond however small it is: reading
/// a million rows made thousands of them, seconds of the first call. Growing by an eighth of
/// the memory (at least 1 MiB) makes a few dozen, for at most an eighth more memory than is
/// used. The heap is left as it is when the step cannot be had: only what was asked is grown.
#[cfg(target_arch = "wasm32")]
mod heap {
    use core::arch::wasm32;
    use std::alloc::Layout;
    use std::cell::UnsafeCell;

    const PAGE: usize = 64 * 1024;
    /// Pages in 4 GiB, all a 32-bit memory can have.
    const MAX_PAGES: usize = 65_536;

    struct Growing;

    // SAFETY: `alloc` hands out fresh pages from `memory.grow`, which nothing else uses; the
    // other methods decline, as std's wasm32 system layer does.
    unsafe impl dlmalloc::Allocator for Growing {
        fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
            let need = size.div_ceil(PAGE);
            let now = wasm32::memory_size(0);
            let step = need.max(now / 8).max(16).min(MAX_PAGES.saturating_sub(now));
            let mut prev = wasm32::memory_grow(0, step);
            let mut pages = step;
            if prev == usize::MAX && step > need {
                prev = wasm32::memory_grow(0, need);
                pages = need;
            }
            if prev == usize::MAX {
                return (std::ptr::null_mut(), 0, 0);
            }
            let (base, len) = (prev * PAGE, pages * PAGE);
            // The last bytes of the address space are never handed out (a pointer must not
            // wrap to 0), as std's layer does.
            let len = if base.wrapping_add(len) == 0 {
                len - 16
            } else {
                len
            };
            (base as *mut u8, len, 0)
        }
        fn remap(&self, _: *mut u8, _: usize, _: usize, _: bool) -> *mut u8 {
            std::ptr::null_mut()
        }
        fn free_part(&self, _: *mut u8, _: usize, _: usize) -> bool {
            false
        }
        fn free(&self, _: *mut u8, _: usize) -> bool {
            false
        }
        fn can_release_part(&self, _: u32) -> bool {
            false
        }
        fn allocates_zeros(&self) -> bool {
            true
        }
        fn page_size(&self) -> usize {
            PAGE
        }
    }

    pub struct Heap(UnsafeCell<dlmalloc::Dlmalloc<Growing>>);

    // SAFETY: wasm32-unknown-unknown without the `atomics` feature runs one thread, so the
    // heap is never used from two at once.
    #[cfg(not(target_feature = "atomics"))]
    unsafe impl Sync for Heap {}

    pub static HEAP: Heap = Heap(UnsafeCell::new(dlmalloc::Dlmalloc::new_with_allocator(
        Growing,
    )));

    impl Heap {
        #[allow(clippy::mut_from_ref)]
        fn get(&self) -> &mut dlmalloc::Dlmalloc<Growing> {
            // SAFETY: one thread (see `Sync`), and no method below calls another while it
            // holds the reference.
            unsafe { &mut *self.0.get() }
        }
        pub unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            unsafe { self.get().malloc(l.size(), l.align()) }
        }
        pub unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
            unsafe { self.get().calloc(l.size(), l.align()) }
        }
        pub unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            unsafe { self.get().free(p, l.size(), l.align()) }
        }
        pub unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
            unsafe { self.get().realloc(p, l.size(), l.align(), size) }
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod reserve {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicPtr, Ordering};

    use super::heap::HEAP as System;
    use super::{set_short, RESERVE_BYTES};

    static RESERVE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

    fn layout() -> Layout {
        // RESERVE_BYTES is a non-zero multiple of the alignment.
        Layout::from_size_align(RESERVE_BYTES, 16).unwrap_or(Layout::new::<u8>())
    }

    /// Holds the reserve again if it was given back; false when there is no room for it.
    pub fn arm() -> bool {
        if !RESERVE.load(Ordering::Relaxed).is_null() {
            return true;
        }
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { System.alloc(layout()) };
        if p.is_null() {
            return false;
        }
        RESERVE.store(p, Ordering::Relaxed);
        true
    }

    /// Gives the reserve back, notes the shortage, and retries `again`.
    unsafe fn retry(again: impl FnOnce() -> *mut u8) -> *mut u8 {
        let r = RESERVE.swap(std::ptr::null_mut(), Ordering::Relaxed);
        if r.is_null() {
            return r;
        }
        // SAFETY: `r` came from `System.alloc(layout())` in `arm`.
        unsafe { System.dealloc(r, layout()) };
        set_short(true);
        again()
    }

    /// The global allocator: the heap, with the reserve behind it.
    pub struct Guarded;

    // SAFETY: every method forwards to the heap with the caller's arguments.
    unsafe impl GlobalAlloc for Guarded {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(l) };
            if p.is_null() {
                unsafe { retry(|| System.alloc(l)) }
            } else {
                p
            }
        }

        unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(l) };
            if p.is_null() {
                unsafe { retry(|| System.alloc_zeroed(l)) }
            } else {
                p
            }
        }

        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            unsafe { System.dealloc(p, l) }
        }

        unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
            let q = unsafe { System.realloc(p, l, size) };
            if q.is_null() {
                unsafe { retry(|| System.realloc(p, l, size)) }
            } else {
                q
            }
        }
    }

    #[global_allocator]
    static GLOBAL: Guarded = Guarded;
}

#[cfg(not(target_arch = "wasm32"))]
mod reserve {
    /// Natively the process's allocator stands alone: nothing to arm.
    pub fn arm() -> bool {
        true
    }
}

/// A vector of `n` elements reserved fallibly: `TOO_LARGE` rather than an abort.
pub fn vec_with_capacity<T>(n: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_large())?;
    Ok(v)
}

/// Room for `more` elements in `v`, reserved fallibly.
pub fn reserve<T>(v: &mut Vec<T>, more: usize) -> Result<()> {
    v.try_reserve(more).map_err(|_| too_large())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_that_runs_short_is_refused_and_the_next_is_not() {
        let r: Result<u32> = call(|| {
            set_short(true);
            Ok(1)
        });
        assert_eq!(r.unwrap_err().code, ErrorCode::TooLarge);
        assert_eq!(call(|| Ok(2)).unwrap(), 2);
        assert!(check().is_ok());
        assert_eq!(
            vec_with_capacity::<u64>(usize::MAX / 2).unwrap_err().code,
            ErrorCode::TooLarge
        );
    }
}
