//! Requested features computed on several threads, with the single-threaded result bit for bit.
//!
//! Each requested feature is one task of a local rayon pool, taken in feature order by whichever
//! thread is free. Every value (a feature at a node, an aggregation path's groups, a numeric input)
//! is computed once, by one thread, and kept in a [`Memo`] that all threads share: a thread that
//! needs a value another one is computing waits for it. So each value comes from the same code on
//! the same inputs as on one thread (float sums in the same order), whichever thread computes it.
//! The calling thread only reports progress and gathers the columns in feature order.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap as HashMap;

use crate::error::{Error, Result};

/// How many threads compute the requested features of an in-process calculation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Threads {
    /// The calling thread alone: worker processes, which already run one per core.
    #[default]
    One,
    /// `RAYON_NUM_THREADS` when it is set, else one per core.
    All,
    /// This many (1 is [`Threads::One`]).
    Count(NonZeroUsize),
}

impl Threads {
    /// The number of threads this stands for on this machine.
    pub fn count(self) -> usize {
        match self {
            Threads::One => 1,
            Threads::Count(n) => n.get(),
            // rayon's own rule for its default pool, without starting that pool.
            Threads::All => std::env::var("RAYON_NUM_THREADS")
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        }
    }
}

/// Values computed once however many threads ask for them. A thread asking for a value another
/// thread is computing waits for it; a computation that fails leaves nothing behind, so the
/// next one to ask computes it again and gets the same error.
///
/// No deadlock: a thread holds a value's slot only while it computes that value, and it then waits
/// only for values that one depends on. The features form a DAG, so the waits cannot form a cycle.
pub(super) struct Memo<K, V> {
    slots: Mutex<HashMap<K, Arc<Mutex<Option<V>>>>>,
}

impl<K, V> std::default::Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            slots: Mutex::new(HashMap::default()),
        }
    }
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    /// The value of `key`, computed by `compute` unless it already is.
    pub(super) fn get_or_try<E>(
        &self,
        key: K,
        compute: impl FnOnce() -> std::result::Result<V, E>,
    ) -> std::result::Result<V, E> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            slots.entry(key).or_default().clone()
        };
        // A computation that panicked left the slot empty: the next one computes it again.
        let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = held.as_ref() {
            return Ok(v.clone());
        }
        let v = compute()?;
        *held = Some(v.clone());
        Ok(v)
    }
}

/// What [`in_order`] needs of a [`super::Control`].
pub(super) struct Run<'a, 'p> {
    pub(super) threads: Threads,
    pub(super) interrupt: Option<&'a AtomicBool>,
    pub(super) progress: Option<&'p mut dyn FnMut(usize, usize)>,
}

/// `compute(0..n)`, in that order in the result. On one thread each is computed in turn; on
/// several, on a local pool (never rayon's global one) while the calling thread reports
/// progress. Either way `progress` is called on the calling thread with 0, 1, ..., n done (and
/// stops at a failure), and the error is the one of the first index that fails.
pub(super) fn in_order<T: Send>(
    n: usize,
    run: Run<'_, '_>,
    compute: impl Fn(usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let threads = run.threads.count().min(n);
    let pool = match threads {
        0 | 1 => None,
        t => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .thread_name(|i| format!("ftpart-calc-{i}"))
            // A feature's dependencies are computed by recursion: as deep a stack as the main
            // thread's, which computes them on one thread.
            .stack_size(8 << 20)
            .build()
            // Threads the OS will not give: the same result on this thread.
            .ok(),
    };
    let Some(pool) = pool else {
        return sequential(n, run, compute);
    };
    let Run {
        interrupt,
        mut progress,
        ..
    } = run;
    let mut report = |done: usize| {
        if let Some(p) = progress.as_mut() {
            p(done, n);
        }
    };
    report(0);
    // The lowest index that failed: later ones are not needed (one thread would not reach them).
    let failed = AtomicUsize::new(usize::MAX);
    let mut results: Vec<Option<Result<T>>> = (0..n).map(|_| None).collect();
    let mut stopped = false;
    pool.in_place_scope(|s| {
        let (tx, rx) = mpsc::channel();
        for i in 0..n {
            let (tx, failed, compute) = (tx.clone(), &failed, &compute);
            s.spawn(move |_| {
                if i > failed.load(Ordering::Relaxed) {
                    return;
                }
                let r = compute(i);
                if r.is_err() {
                    failed.fetch_min(i, Ordering::Relaxed);
                }
                // The receiver lives until every task has ended.
                let _ = tx.send((i, r));
            });
        }
        drop(tx);
        let mut done = 0;
        let mut reporting = true;
        for (i, r) in rx {
            if r.is_err() {
                reporting = false;
            } else if reporting {
                done += 1;
                report(done);
                // Set by the callback (or meanwhile): as on one thread, no feature after this
                // one is reported, and the calculation ends interrupted.
                if done < n && interrupt.is_some_and(|f| f.load(Ordering::SeqCst)) {
                    reporting = false;
                    stopped = true;
                }
            }
            results[i] = Some(r);
        }
    });
    let mut out = Vec::with_capacity(n);
    for r in results {
        match r {
            Some(Ok(v)) => out.push(v),
            Some(Err(e)) => return Err(e),
            // Skipped after a failure at a lower index, which came first.
            None => return Err(Error::Internal("a feature was not computed".into())),
        }
    }
    if stopped {
        return Err(Error::Interrupted);
    }
    Ok(out)
}

/// [`in_order`] on the calling thread: the calculation as it always was.
fn sequential<T>(
    n: usize,
    mut run: Run<'_, '_>,
    compute: impl Fn(usize) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if let Some(p) = run.progress.as_mut() {
            p(i, n);
        }
        out.push(compute(i)?);
    }
    if let Some(p) = run.progress.as_mut() {
        p(n, n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(threads: usize) -> Run<'static, 'static> {
        Run {
            threads: Threads::Count(NonZeroUsize::new(threads).unwrap()),
            interrupt: None,
            progress: None,
        }
    }

    #[test]
    fn results_come_in_index_order_whatever_the_threads() {
        for t in [1, 2, 4, 8] {
            let out = in_order(50, run(t), |i| Ok(i * i)).unwrap();
            assert_eq!(
                out,
                (0..50).map(|i| i * i).collect::<Vec<_>>(),
                "{t} threads"
            );
        }
    }

    #[test]
    fn the_error_is_the_first_index_s_as_on_one_thread() {
        for t in [1, 2, 4] {
            let e = in_order(40, run(t), |i| {
                if i % 7 == 5 {
                    Err(Error::Invalid(format!("bad {i}")))
                } else {
                    Ok(i)
                }
            })
            .unwrap_err();
            assert_eq!(e.to_string(), "bad 5", "{t} threads");
        }
    }

    #[test]
    fn progress_counts_up_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let mut seen = Vec::new();
        let mut progress = |done, total| {
            assert_eq!(std::thread::current().id(), caller);
            seen.push((done, total));
        };
        let r = Run {
            progress: Some(&mut progress),
            ..run(3)
        };
        in_order(20, r, Ok).unwrap();
        assert_eq!(seen, (0..=20).map(|d| (d, 20)).collect::<Vec<_>>());
    }

    #[test]
    fn memo_computes_each_key_once_across_threads() {
        let memo: Memo<u32, Arc<u64>> = Memo::default();
        let calls = AtomicUsize::new(0);
        let out = in_order(64, run(4), |i| {
            memo.get_or_try((i % 4) as u32, || {
                calls.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(2));
                Ok::<_, Error>(Arc::new(i as u64 % 4))
            })
        })
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert!(out.iter().enumerate().all(|(i, v)| **v == i as u64 % 4));
    }

    #[test]
    fn a_failed_computation_is_tried_again() {
        let memo: Memo<u8, u8> = Memo::default();
        assert!(memo.get_or_try(1, || Err("no")).is_err());
        assert_eq!(memo.get_or_try(1, || Ok::<_, &str>(7)), Ok(7));
        assert_eq!(memo.get_or_try(1, || Err("unused")), Ok(7));
    }
}
