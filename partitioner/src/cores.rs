//! Independent items of work spread over every core.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// Runs `work(i)` for every `i` in `0..n` on every core, each thread taking the next item when it
/// is done with one (so a thread holds one item at a time), and calls `done(i, result)` on the
/// calling thread as items finish, in the order they finish. After an error no further item is
/// started; the first error is returned once the items already running have ended. With one
/// core, or one item, everything runs on the calling thread.
pub fn on_cores<R: Send, E: Send>(
    n: usize,
    work: impl Fn(usize) -> Result<R, E> + Sync,
    mut done: impl FnMut(usize, R),
) -> Result<(), E> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n);
    if threads <= 1 {
        for i in 0..n {
            done(i, work(i)?);
        }
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let mut first_error = None;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<R, E>)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, failed, work) = (&next, &failed, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Relaxed);
                if i >= n || failed.load(Relaxed) {
                    return;
                }
                let r = work(i);
                if r.is_err() {
                    failed.store(true, Relaxed);
                }
                if tx.send((i, r)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        for (i, r) in rx {
            match r {
                Ok(r) if first_error.is_none() => done(i, r),
                Ok(_) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
    });
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_done_once_and_the_first_error_stops_the_rest() {
        let mut seen = vec![0; 100];
        on_cores(
            100,
            |i| Ok::<_, ()>(i * 2),
            |i, r| {
                assert_eq!(r, i * 2);
                seen[i] += 1;
            },
        )
        .unwrap();
        assert!(seen.iter().all(|&n| n == 1));
        let started = AtomicUsize::new(0);
        let err = on_cores(
            1000,
            |i| {
                started.fetch_add(1, Relaxed);
                if i == 3 {
                    Err(i)
                } else {
                    Ok(())
                }
            },
            |_, ()| {},
        );
        assert_eq!(err, Err(3));
        assert!(started.load(Relaxed) < 1000);
    }
}
