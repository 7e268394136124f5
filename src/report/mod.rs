//! Renderers for `check`: one list of findings, several formats — text for
//! people, JSON for programs, SARIF for code scanning, GitHub annotations.

pub mod github;
pub mod sarif;
pub mod text;
