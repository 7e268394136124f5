//! Typed errors and the exit code each one maps to.
//!
//! Lower layers return these; `main.rs` prints them and picks the exit code.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A position in a text file, 1-based, printed as `file:line:col`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user should see it (usually repo-relative).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn from_offset(file: impl Into<String>, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asked for something contradictory or malformed.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// `assets.toml` is missing, unparsable or invalid.
    #[error("{message}")]
    Config {
        message: String,
        hint: Option<String>,
    },
    /// `assets.lock` is unparsable, from a newer assetrail, or inconsistent.
    #[error("{message}")]
    Manifest {
        message: String,
        hint: Option<String>,
    },
    /// A well-formed request that assetrail will not carry out (it cannot succeed,
    /// or it would break a rule such as "never overwrite without --force").
    #[error("{message}")]
    Refused {
        message: String,
        hint: Option<String>,
    },
    /// An image API answered with an error, or never answered.
    #[error("{message}")]
    Api {
        message: String,
        hint: Option<String>,
        /// What the server said, as fields a program can act on.
        details: Box<ApiDetails>,
    },
    /// A file system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// libgit2 failed.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// The result type used throughout assetrail.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A refusal with a hint saying how to get what the user wanted.
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Refused {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A usage error with a hint.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A configuration error at a location in `assets.toml`.
    pub fn config_at(location: &Location, message: impl fmt::Display) -> Self {
        Error::Config {
            message: format!("{location}: {message}"),
            hint: None,
        }
    }

    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Adds (or replaces) the hint of a hint-carrying error.
    pub fn with_hint(mut self, new_hint: impl Into<String>) -> Self {
        match &mut self {
            Error::Usage { hint, .. }
            | Error::Config { hint, .. }
            | Error::Manifest { hint, .. }
            | Error::Refused { hint, .. }
            | Error::Api { hint, .. } => *hint = Some(new_hint.into()),
            Error::Io { .. } | Error::Git(_) => {}
        }
        self
    }

    /// How to fix it, when assetrail knows.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. }
            | Error::Config { hint, .. }
            | Error::Manifest { hint, .. }
            | Error::Refused { hint, .. }
            | Error::Api { hint, .. } => hint.as_deref(),
            Error::Io { .. } | Error::Git(_) => None,
        }
    }

    /// The process exit code: 1 for a refused request, 2 for usage, config and I/O errors.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused { .. } | Error::Api { .. } => 1,
            _ => 2,
        }
    }

    /// A stable machine-readable name for `--format json`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Usage { .. } => "usage",
            Error::Config { .. } => "config",
            Error::Manifest { .. } => "manifest",
            Error::Refused { .. } => "refused",
            Error::Api { .. } => "api",
            Error::Io { .. } => "io",
            Error::Git(_) => "git",
        }
    }
}

/// What an image API said when it refused a request, or how it failed to answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApiDetails {
    /// The HTTP status; absent when no answer came.
    pub status: Option<u16>,
    /// The API's `error.code` (`moderation_blocked`, `invalid_value`, ...).
    pub api_code: Option<String>,
    /// The parameter the API named (`error.param`).
    pub param: Option<String>,
    /// The server's request id (`x-request-id`), for support.
    pub request_id: Option<String>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether the server may have received (and billed) the request.
    pub may_be_billed: bool,
}

/// An error as `--format json` prints it, and as batch failures and MCP tool
/// results carry it: one shape everywhere.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// Stable machine-readable kind: usage, config, manifest, refused, api, io, git.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
    /// For `api` errors, what the server said.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiDetails>,
}

impl From<&Error> for ErrorBody {
    fn from(error: &Error) -> Self {
        ErrorBody {
            code: error.code(),
            message: error.to_string(),
            hint: error.hint().map(str::to_owned),
            api: match error {
                Error::Api { details, .. } => Some((**details).clone()),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let at = text.find('"').unwrap();
        let loc = Location::from_offset("assets.toml", text, at);
        assert_eq!(loc.to_string(), "assets.toml:2:6");
    }

    #[test]
    fn location_clamps_past_the_end() {
        let loc = Location::from_offset("f", "ab", 99);
        assert_eq!((loc.line, loc.column), (1, 3));
    }
}
