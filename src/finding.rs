//! Finding codes and severities: the stable names `check` reports under and
//! `assets.toml` configures.

use crate::choice_enum;

choice_enum! {
    /// A stable finding code (see `assetrail explain CODE`).
    pub enum FindingCode: "finding code" {
        UntrackedAsset = "AR001",
        ModifiedAsset = "AR002",
        MissingAsset = "AR003",
        OrphanAsset = "AR004",
        BrokenReference = "AR005",
        UnknownCommit = "AR006",
        DanglingParent = "AR007",
        IncompleteRecord = "AR008",
        CreditMismatch = "AR009",
        LfsMismatch = "AR010",
    }
}

impl FindingCode {
    /// The kebab-case rule name shown beside the code.
    pub fn name(self) -> &'static str {
        match self {
            FindingCode::UntrackedAsset => "untracked-asset",
            FindingCode::ModifiedAsset => "modified-asset",
            FindingCode::MissingAsset => "missing-asset",
            FindingCode::OrphanAsset => "orphan-asset",
            FindingCode::BrokenReference => "broken-reference",
            FindingCode::UnknownCommit => "unknown-commit",
            FindingCode::DanglingParent => "dangling-parent",
            FindingCode::IncompleteRecord => "incomplete-record",
            FindingCode::CreditMismatch => "credit-mismatch",
            FindingCode::LfsMismatch => "lfs-mismatch",
        }
    }

    /// The severity used when `assets.toml` does not set one.
    pub fn default_severity(self) -> Severity {
        match self {
            FindingCode::OrphanAsset | FindingCode::UnknownCommit | FindingCode::DanglingParent => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

choice_enum! {
    /// How much a finding matters: errors fail `check`, warnings are shown, `off` hides.
    pub enum Severity: "severity" {
        Error = "error",
        Warning = "warning",
        Off = "off",
    }
}
