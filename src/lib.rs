//! assetrail: a repo-local image asset manager for coding agents.
//!
//! It generates images into a web project's asset folders on explicit *routes*
//! (the offline renderer, Codex imports, hand-made files, and the OpenAI
//! APIs), records a provenance entry for every file it writes in
//! `assets.lock`, and reports each asset's state.
//!
//! The binary is a thin layer over this library: [`cli`] parses, a module under
//! [`commands`] runs, and an [`output::Report`] prints.

pub mod asset_state;
pub mod atomic;
pub mod audit_page;
pub mod check;
pub mod choice;
pub mod cli;
pub mod commands;
pub mod config;
pub mod cost;
pub mod credentials;
pub mod error;
pub mod finding;
pub mod git;
pub mod image_file;
pub mod image_options;
pub mod interrupt;
pub mod lfs;
pub mod lock_file;
pub mod lock_merge;
pub mod manifest;
pub mod mcp;
pub mod models;
pub mod output;
pub mod placement;
pub mod provenance;
pub mod recorded;
pub mod repo_path;
pub mod report;
pub mod rewrite;
pub mod routes;
pub mod scan;
pub mod schema;
pub mod stat_cache;
pub mod store;
pub mod workspace;

pub use error::{Error, Result};

/// Drops a large value on a background thread. Freeing a few hundred thousand
/// small allocations costs tens of milliseconds a command need not wait for;
/// in a long-running process the memory is still freed.
pub fn drop_later<T: Send + 'static>(value: T) {
    if std::thread::Builder::new()
        .spawn(move || drop(value))
        .is_err()
    {
        // No thread to spare: the value was dropped with the failed closure.
    }
}
