//! Ctrl-C during long work: the first interrupt asks the work to stop starting
//! new items (what finished is kept and reported, the process exits 130); a
//! second one exits at once. Writes are atomic, so nothing is left half-written
//! either way: at most a temporary file the next run sweeps.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Whether Ctrl-C was pressed since [`watch`].
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
