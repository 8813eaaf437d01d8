//! Every `unsafe` operation of the crate, each behind a safe function.
//!
//! # Safety
//!
//! - [`map_readonly`] maps a file read-only. The mapping's bytes change if another process writes
//!   to the file, and reading a page past a point where the file was truncated raises SIGBUS. Shard
//!   files are written once by the partitioner (temporary name, then rename) and only read
//!   afterwards, so nothing writes or truncates a file while a worker has it mapped; that is the
//!   contract callers of [`crate::mmap::map_ipc_file`] accept, and the reason memmap2 marks mapping
//!   `unsafe`.
//! - [`install_signal_handler`] installs a handler with `sigaction`. The handlers passed to it only
//!   load a `OnceLock` that is already set and store to an atomic, both async-signal-safe (no lock,
//!   no allocation); `sigaction` is `unsafe` in nix because an arbitrary handler might not be.
//!   [`reset_signal_to_default`] installs no handler at all (`SIG_DFL`).
//! - [`WorkerAllocator`] forwards every call to the system allocator unchanged, so it upholds the
//!   `GlobalAlloc` contract exactly as `System` does; on a null return it stores to an atomic byte
//!   (no allocation, no lock). For an allocation of [`HUGE_PAGE_MIN`] bytes or more it also calls
//!   `madvise(MADV_HUGEPAGE)` on the whole 2 MB pages inside the block it returns: a hint that
//!   changes how the kernel backs those pages, not their contents or the block's bounds.
//! - [`set_oom_flag`] turns the first byte of a shared-memory region into a `&'static AtomicU8`.
//!   The region is leaked, so the mapping lives as long as the process; `u8` and `AtomicU8` have
//!   the same size and alignment; the only other view of the byte is the coordinator's, in another
//!   process, which reads it after this process has ended.
//! - [`keep_freed_memory`] and [`use_one_malloc_arena`] call glibc's `mallopt`, which only
//!   changes allocator parameters; they run when a process starts, before it has another thread.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use ipc_channel::ipc::IpcSharedMemory;
use memmap2::Mmap;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

/// Makes glibc keep freed memory for reuse instead of returning it to the kernel: a worker frees
/// and reallocates arrays of the same sizes in every job, and a calculation frees and allocates
/// one array after another; each page handed back would be faulted in (and zeroed by the kernel,
/// 2 MB at a time where huge pages are advised) again. Allocations up to 32 MB come from the heap, and
/// the heap is trimmed only when 256 MB at its top are free. No-op on other C libraries.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: see the module docs; the return values only say whether a value was accepted.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Makes every thread allocate from the main glibc arena. A second thread would otherwise get an
/// arena of its own, which reserves 64 MB of address space up front: under a small address-space
/// limit (`--worker-memory`, `prlimit --as`) its first allocation fails although memory is free.
/// No-op on other C libraries.
pub fn use_one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: see the module docs.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Maps `file` read-only into memory.
pub(crate) fn map_readonly(file: &File) -> io::Result<Mmap> {
    // SAFETY: see the module docs: shard files are immutable once written.
    unsafe { Mmap::map(file) }
}

/// Installs `handler` for `signal`, restarting interrupted system calls.
pub(crate) fn install_signal_handler(
    signal: Signal,
    handler: extern "C" fn(nix::libc::c_int),
) -> nix::Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(handler),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the crate's handlers are async-signal-safe (module docs).
    unsafe { sigaction(signal, &action) }.map(drop)
}

/// Restores the default disposition of `signal` (for SIGTERM: terminate the process).
pub(crate) fn reset_signal_to_default(signal: Signal) -> nix::Result<()> {
    // SAFETY: `SIG_DFL` runs no code of ours (module docs).
    unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) }.map(drop)
}

/// The byte the worker's allocator sets on an allocation failure, once `serve` has set it up.
static OOM_FLAG: OnceLock<&'static AtomicU8> = OnceLock::new();

/// Makes the first byte of `region` the out-of-memory flag of this process. The region is leaked:
/// the allocator may write to it until the process exits. Returns false if it was already set or
/// the region is empty.
pub(crate) fn set_oom_flag(region: IpcSharedMemory) -> bool {
    let region: &'static mut IpcSharedMemory = Box::leak(Box::new(region));
    // SAFETY: this process keeps no other reference into the region (it was just leaked), and the
    // coordinator reads its own mapping only after this process has ended.
    let bytes = unsafe { region.deref_mut() };
    let Some(first) = bytes.first_mut() else {
        return false;
    };
    // SAFETY: `first` is valid for 'static (leaked mapping), aligned (align of AtomicU8 is 1), and
    // from here on only accessed atomically in this process.
    let flag: &'static AtomicU8 = unsafe { AtomicU8::from_ptr(first) };
    OOM_FLAG.set(flag).is_ok()
}

fn note_allocation_failure() {
    if let Some(flag) = OOM_FLAG.get() {
        flag.store(1, Ordering::SeqCst);
    }
}

/// The system allocator, plus a note to the coordinator when an allocation fails.
///
/// Rust aborts the process (SIGABRT) when an allocation fails; on its own that looks like any other
/// abort. Register this allocator in the worker program and a worker that fails an allocation (for
/// example under the pool's memory limit) is reported as [`crate::WorkerEnd::OutOfMemory`]:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: ftpart_worker::WorkerAllocator = ftpart_worker::WorkerAllocator;
/// # fn main() {}
/// ```
///
/// In the coordinator (or any process not started by a pool) it is the system allocator.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkerAllocator;

/// Allocations at least this large ask for transparent huge pages ([`advise_huge_pages`]).
pub const HUGE_PAGE_MIN: usize = 4 << 20;

const HUGE_PAGE: usize = 2 << 20;

/// Asks the kernel to back the 2 MB pages inside `[ptr, ptr + len)` with transparent huge pages
/// (they are used only where `/sys/kernel/mm/transparent_hugepage/enabled` is `madvise` or
/// `always`). The large arrays of a matrix are written once, page by page: with 4 KB pages the
/// kernel's page faults and zeroing were most of the coordinator's time on 5M rows, and a huge
/// page takes one fault for 512 of them.
fn advise_huge_pages(ptr: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        let start = (ptr as usize).div_ceil(HUGE_PAGE) * HUGE_PAGE;
        let end = (ptr as usize + len) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            // SAFETY: the range lies inside a block this allocator just returned; MADV_HUGEPAGE
            // is advice only (module docs). Its result is ignored: without THP nothing changes.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

// SAFETY: every method forwards to `System` with the same arguments (module docs).
unsafe impl GlobalAlloc for WorkerAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if ptr.is_null() {
            note_allocation_failure();
        } else if layout.size() >= HUGE_PAGE_MIN {
            advise_huge_pages(ptr, layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if ptr.is_null() {
            note_allocation_failure();
        } else if layout.size() >= HUGE_PAGE_MIN {
            advise_huge_pages(ptr, layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` through this allocator; the caller upholds the rest.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if new.is_null() {
            note_allocation_failure();
        } else if new_size >= HUGE_PAGE_MIN {
            advise_huge_pages(new, new_size);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocator_round_trips_through_the_system_allocator() {
        let layout = Layout::from_size_align(64, 16).unwrap();
        let alloc = WorkerAllocator;
        // SAFETY: non-zero layout; the pointer is freed with the same layout.
        unsafe {
            let ptr = alloc.alloc_zeroed(layout);
            assert!(!ptr.is_null());
            assert_eq!(*ptr, 0);
            let ptr = alloc.realloc(ptr, layout, 128);
            assert!(!ptr.is_null());
            alloc.dealloc(ptr, Layout::from_size_align(128, 16).unwrap());
        }
    }

    #[test]
    fn an_allocation_failure_sets_the_shared_flag() {
        let region = IpcSharedMemory::from_byte(0, 1);
        let coordinator_view = region.clone();
        assert!(set_oom_flag(region));
        assert_eq!(coordinator_view[0], 0);
        let huge = Layout::from_size_align(isize::MAX as usize - 4096, 1).unwrap();
        // SAFETY: non-zero layout; the result is null, so there is nothing to free.
        // black_box: in release builds LLVM may elide an unused allocation and fold the null check.
        let ptr = unsafe { WorkerAllocator.alloc(std::hint::black_box(huge)) };
        assert!(std::hint::black_box(ptr).is_null());
        assert_eq!(coordinator_view[0], 1);
    }
}
