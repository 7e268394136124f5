//! Ctrl-C during long work: the first interrupt asks the work to stop starting
//! new items (what finished is kept and reported, the process exits 130); a
//! second one exits at once. Writes are atomic, so nothing is left half-written
//! either way: at most a temporary file the next run sweeps.

use std::cell::RefCell;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

use crate::error::{Error, Result};

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect.
pub const EXIT_CODE: u8 = 130;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static WATCH: Once = Once::new();

/// Starts watching for Ctrl-C (once per process; later calls do nothing).
pub fn watch() {
    WATCH.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if REQUESTED.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(EXIT_CODE));
            }
            let _ = writeln!(
                std::io::stderr(),
                "\ninterrupted: finishing the jobs already running, starting no more (Ctrl-C again to stop now)"
            );
        });
    });
}

thread_local! {
    /// The cancellation flag of the work running on this thread (an MCP tool call).
    static CANCEL: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Whether Ctrl-C was pressed since [`watch`], or the work on this thread
/// was cancelled (see [`with_cancel`]).
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst) || cancelled()
}

/// Whether the work on this thread was cancelled. Ctrl-C is not a
/// cancellation: work already running finishes and is kept.
pub fn cancelled() -> bool {
    CANCEL.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    })
}

/// Runs `work` on this thread with `flag` as its cancellation: once the flag
/// is set, [`cancelled`] is true and [`check`] refuses, so a generation stops
/// before it writes anything.
pub fn with_cancel<T>(flag: Arc<AtomicBool>, work: impl FnOnce() -> T) -> T {
    let previous = CANCEL.with(|c| c.replace(Some(flag)));
    let result = work();
    CANCEL.with(|c| *c.borrow_mut() = previous);
    result
}

/// Refuses to go on when the work on this thread was cancelled.
pub fn check() -> Result<()> {
    if cancelled() {
        return Err(Error::refused(
            "cancelled before anything was written",
            "nothing was written; an API request already sent may still be billed",
        ));
    }
    Ok(())
}
