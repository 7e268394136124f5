//! The finding rules `check` reports under: one table holding each rule's
//! stable code, name, default severity and `explain` text. `assets.toml`
//! configures severities by code or name.

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
        LockConflict = "AR011",
        MergeDriverMissing = "AR012",
        PlaceholderAsset = "AR013",
        CredentialsLost = "AR014",
    }
}

/// One rule: everything said about a finding code, in one place.
#[derive(Debug)]
pub struct Rule {
    /// The code.
    pub code: FindingCode,
    /// Kebab-case name shown beside the code.
    pub name: &'static str,
    /// Severity when `assets.toml` does not set one.
    pub severity: Severity,
    /// What the rule finds.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// Every rule, in code order.
pub const RULES: &[Rule] = &[
    Rule {
        code: FindingCode::UntrackedAsset,
        name: "untracked-asset",
        severity: Severity::Error,
        what: "An image in a managed folder has no entry in assets.lock and is not allow-listed.",
        why: "Nobody can tell how it was made, by which route, or who paid for it; generated images slip in without a prompt or a bill.",
        fix: "Record it: `assetrail adopt PATH` for a hand-made file, `assetrail record PATH --route R --prompt P` for one generated elsewhere, `assetrail import --codex` for a Codex image. Files a framework needs by convention can be allow-listed under [check] allow in assets.toml.",
    },
    Rule {
        code: FindingCode::ModifiedAsset,
        name: "modified-asset",
        severity: Severity::Error,
        what: "A recorded asset's bytes no longer match the sha256 in assets.lock.",
        why: "The entry describes an image that is no longer there: its prompt, route and cost now belong to different bytes, and embedded Content Credentials may be stale.",
        fix: "Restore the recorded file (`git checkout -- PATH`), or record the new bytes with `assetrail record PATH --route R --prompt P --force` (the old sha256 is kept as a parent). A format conversion is a new asset with the original as its parent.",
    },
    Rule {
        code: FindingCode::MissingAsset,
        name: "missing-asset",
        severity: Severity::Error,
        what: "assets.lock has an entry whose file is gone (from the work tree, or with --staged from the index).",
        why: "Pages that use the image will break, and the manifest claims an asset the repository does not have.",
        fix: "Restore the file (`git checkout -- PATH`), or remove the asset on purpose with `assetrail rm PATH`. A file moved with plain `git mv` is recorded with `assetrail mv OLD NEW`, which keeps its provenance and rewrites its references.",
    },
    Rule {
        code: FindingCode::OrphanAsset,
        name: "orphan-asset",
        severity: Severity::Warning,
        what: "A generated asset is referenced by no scanned file (MDX, MD, JSX/TSX, HTML, CSS, data files). Assets named only inside code samples are reported as such.",
        why: "Unused images bloat the repository and the deployed site, and usually mean a page was edited without cleaning up.",
        fix: "Reference the image from a page, or delete it and its entry. Glob imports (import.meta.glob) and convention files (favicons, app/icon.*, opengraph-image.*) are never orphans; other implicit uses can be allow-listed under [check] allow.",
    },
    Rule {
        code: FindingCode::BrokenReference,
        name: "broken-reference",
        severity: Severity::Error,
        what: "A source file references an image path that does not exist, or exists only with different letter case.",
        why: "The page shows a broken image, or works on macOS and breaks on Linux CI and servers, which are case-sensitive.",
        fix: "Fix the path in the source file (the finding gives file:line:col and the path looked for), or create the image there with `assetrail generate --out PATH --prompt P`.",
    },
    Rule {
        code: FindingCode::UnknownCommit,
        name: "unknown-commit",
        severity: Severity::Warning,
        what: "An entry's base_commit is not in this repository's history.",
        why: "Lineage cannot be followed: the commit the asset was made on was rebased away or lives on an unfetched branch.",
        fix: "Fetch the branch the asset was made on, or record the asset again on this history with --force.",
    },
    Rule {
        code: FindingCode::DanglingParent,
        name: "dangling-parent",
        severity: Severity::Warning,
        what: "An edit's or overwrite's parent is neither in assets.lock nor in git history.",
        why: "The asset claims to derive from an image nobody can find, so its lineage stops there.",
        fix: "Commit the parent image, or record it (`assetrail adopt` / `assetrail record`) so the chain is complete.",
    },
    Rule {
        code: FindingCode::IncompleteRecord,
        name: "incomplete-record",
        severity: Severity::Error,
        what: "A field the entry's route requires is missing: request_id, model and prompt for API routes; provider for gateways; source_path or thread_id for Codex imports; sha256 and credit always.",
        why: "Support and cost review need these to answer which request made an image and who paid for it.",
        fix: "Record the asset again with the missing fields: `assetrail record PATH --route R --prompt P --request-id ID --model M --force`.",
    },
    Rule {
        code: FindingCode::CreditMismatch,
        name: "credit-mismatch",
        severity: Severity::Error,
        what: "The route and the credit source disagree: codex must bill codex-credits, images and responses openai-api, gateway.NAME provider:NAME, local and manual none.",
        why: "Cost reports sum spend per credit source; a Codex image billed as OpenAI API spend, or a gateway's price counted as OpenAI's, makes every total wrong.",
        fix: "Fix the entry's credit (or its route) so they agree; assetrail never writes mismatched entries itself, so this usually follows a hand edit or a merge.",
    },
    Rule {
        code: FindingCode::LfsMismatch,
        name: "lfs-mismatch",
        severity: Severity::Error,
        what: "A Git LFS pointer's `oid sha256:` differs from the sha256 recorded for the asset.",
        why: "The object LFS will download is not the image the provenance entry describes.",
        fix: "Fetch the right object (`git lfs pull`) and restore the pointer, or record the new image with --force.",
    },
    Rule {
        code: FindingCode::LockConflict,
        name: "lock-conflict",
        severity: Severity::Error,
        what: "assets.lock holds a merge conflict for this asset: the two branches recorded it differently.",
        why: "Until it is settled the manifest has two answers for one file, and every command that writes the manifest refuses to run.",
        fix: "Keep the image you want (`git checkout --ours PATH` or `--theirs PATH`), then run `assetrail merge-lock --resolve`: each conflict is settled by the entry whose sha256 matches the file (or pass `--take ours|theirs`). Then `git add assets.lock`.",
    },
    Rule {
        code: FindingCode::MergeDriverMissing,
        name: "merge-driver-missing",
        severity: Severity::Warning,
        what: ".gitattributes merges assets.lock with assetrail's merge driver, but this clone has no `merge.assetrail.driver` in its git config.",
        why: "Without the driver git merges assets.lock as text: two branches that each add an asset conflict, and their fields can interleave.",
        fix: "Run `assetrail hook install` (or `assetrail init`) in this clone: it writes the local git config for the driver. The config is per clone, so each clone needs it once.",
    },
    Rule {
        code: FindingCode::PlaceholderAsset,
        name: "placeholder-asset",
        severity: Severity::Off,
        what: "An asset is a placeholder: drawn by the offline renderer (route local, `placeholder = true` in its record), not a real generation.",
        why: "Placeholders are meant to be replaced before release; a release branch can refuse them with `[check] placeholders = \"error\"` in assets.toml (off by default).",
        fix: "Replace it with a real generation from the same prompt, kind and size: `assetrail regenerate PATH --route images`, or every placeholder at once with `assetrail regenerate --where route=local --route images` (the placeholder is kept as the parent, and every reference to the path stays valid).",
    },
    Rule {
        code: FindingCode::CredentialsLost,
        name: "credentials-lost",
        severity: Severity::Warning,
        what: "An asset recorded with Content Credentials (C2PA) has changed and no longer carries them — an image optimiser or a re-encode stripped them — or, in a build with the `c2pa` feature, its credentials validated when recorded and no longer do.",
        why: "Content Credentials are how anyone outside the repository can tell the image was generated and by whom (OpenAI's images carry them); once stripped or broken, that disclosure is gone from the published file.",
        fix: "Restore the recorded file (`git checkout -- PATH`) and configure the optimiser to keep C2PA data (the PNG `caBX` chunk, JPEG APP11, WebP `C2PA`), or record the new bytes on purpose with `assetrail record PATH --route R --prompt P --force` (the original is kept as a parent).",
    },
];

impl FindingCode {
    /// This code's rule.
    pub fn rule(self) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.code == self)
            .expect("every finding code has a rule")
    }

    /// The kebab-case rule name shown beside the code.
    pub fn name(self) -> &'static str {
        self.rule().name
    }

    /// One line: what the rule finds.
    pub fn summary(self) -> &'static str {
        self.rule().what
    }

    /// What the rule finds, why it matters, and how to fix it.
    pub fn explanation(self) -> (&'static str, &'static str, &'static str) {
        let rule = self.rule();
        (rule.what, rule.why, rule.fix)
    }

    /// The severity used when `assets.toml` does not set one.
    pub fn default_severity(self) -> Severity {
        self.rule().severity
    }
}

choice_enum! {
    /// How much a finding matters: errors fail `check`, warnings are shown, `off` hides.
    pub enum Severity: "severity" {
        Error = "error",
        Warning = "warning" | "warn",
        Off = "off",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_per_code_in_order() {
        let codes: Vec<FindingCode> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(codes, FindingCode::ALL);
    }
}
