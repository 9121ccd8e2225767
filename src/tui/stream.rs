//! A worker thread that produces a known number of results in order and
//! streams them to the UI, which polls without blocking and may cancel.
//! Shared by the static and the time-based run views.

use super::run::RunStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

pub struct Stream<T> {
    pub status: RunStatus,
    /// The worker has exited (its sender is gone).
    pub worker_done: bool,
    expected: u64,
    received: u64,
    rx: Receiver<Result<T, String>>,
    stop: Arc<AtomicBool>,
}

impl<T: Send + 'static> Stream<T> {
    /// Runs `produce(0)`, `produce(1)`, ... `produce(n - 1)` on a new thread,
    /// sending each result; it stops after the first error, when cancelled,
    /// or when the stream is dropped.
    pub fn spawn(
        n: u64,
        mut produce: impl FnMut(u64) -> Result<T, String> + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        std::thread::spawn(move || {
            for i in 0..n {
                if halt.load(Ordering::Relaxed) {
                    return;
                }
                let item = produce(i);
                let failed = item.is_err();
                if tx.send(item).is_err() || failed {
                    return;
                }
            }
        });
        Stream {
            status: RunStatus::Running,
            worker_done: false,
            expected: n,
            received: 0,
            rx,
            stop,
        }
    }

    /// Hands every result that has arrived to `on_item`, without blocking;
    /// the status turns `Done` with the last one.
    pub fn poll(&mut self, mut on_item: impl FnMut(T)) {
        loop {
            match self.rx.try_recv() {
                Ok(Ok(item)) => {
                    on_item(item);
                    self.received += 1;
                    if self.status == RunStatus::Running && self.received == self.expected {
                        self.status = RunStatus::Done;
                    }
                }
                Ok(Err(e)) => self.status = RunStatus::Failed(e),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.worker_done = true;
                    return;
                }
            }
        }
    }

    pub fn cancel(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if self.status == RunStatus::Running {
            self.status = RunStatus::Cancelled;
        }
    }
}

impl<T> Drop for Stream<T> {
    /// A replaced or abandoned run stops its worker after the current item.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
