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

    /// One line: what the rule finds.
    pub fn summary(self) -> &'static str {
        self.explanation().0
    }

    /// What the rule finds, why it matters, and how to fix it.
    pub fn explanation(self) -> (&'static str, &'static str, &'static str) {
        match self {
            FindingCode::UntrackedAsset => (
                "An image in a managed folder has no entry in assets.lock and is not allow-listed.",
                "Nobody can tell how it was made, by which route, or who paid for it; generated images slip in without a prompt or a bill.",
                "Record it: `assetrail adopt PATH` for a hand-made file, `assetrail record PATH --route R --prompt P` for one generated elsewhere, `assetrail import --codex` for a Codex image. Files a framework needs by convention can be allow-listed under [check] allow in assets.toml.",
            ),
            FindingCode::ModifiedAsset => (
                "A recorded asset's bytes no longer match the sha256 in assets.lock.",
                "The entry describes an image that is no longer there: its prompt, route and cost now belong to different bytes, and embedded Content Credentials may be stale.",
                "Restore the recorded file (`git checkout -- PATH`), or record the new bytes with `assetrail record PATH --route R --prompt P --force` (the old sha256 is kept as a parent). A format conversion is a new asset with the original as its parent.",
            ),
            FindingCode::MissingAsset => (
                "assets.lock has an entry whose file is gone (from the work tree, or with --staged from the index).",
                "Pages that use the image will break, and the manifest claims an asset the repository does not have.",
                "Restore the file, regenerate it, or delete the entry from assets.lock if the asset was removed on purpose.",
            ),
            FindingCode::OrphanAsset => (
                "A generated asset is referenced by no scanned file (MDX, MD, JSX/TSX, HTML, CSS, data files). Assets named only inside code samples are reported as such.",
                "Unused images bloat the repository and the deployed site, and usually mean a page was edited without cleaning up.",
                "Reference the image from a page, or delete it and its entry. Glob imports (import.meta.glob) and convention files (favicons, app/icon.*, opengraph-image.*) are never orphans; other implicit uses can be allow-listed under [check] allow.",
            ),
            FindingCode::BrokenReference => (
                "A source file references an image path that does not exist, or exists only with different letter case.",
                "The page shows a broken image, or works on macOS and breaks on Linux CI and servers, which are case-sensitive.",
                "Fix the path in the source file (the finding gives file:line:col and the path looked for), or create the image there with `assetrail generate --out PATH --prompt P`.",
            ),
            FindingCode::UnknownCommit => (
                "An entry's base_commit is not in this repository's history.",
                "Lineage cannot be followed: the commit the asset was made on was rebased away or lives on an unfetched branch.",
                "Fetch the branch the asset was made on, or record the asset again on this history with --force.",
            ),
            FindingCode::DanglingParent => (
                "An edit's or overwrite's parent is neither in assets.lock nor in git history.",
                "The asset claims to derive from an image nobody can find, so its lineage stops there.",
                "Commit the parent image, or record it (`assetrail adopt` / `assetrail record`) so the chain is complete.",
            ),
            FindingCode::IncompleteRecord => (
                "A field the entry's route requires is missing: request_id, model and prompt for API routes; provider for gateways; source_path or thread_id for Codex imports; sha256 and credit always.",
                "Support and cost review need these to answer which request made an image and who paid for it.",
                "Record the asset again with the missing fields: `assetrail record PATH --route R --prompt P --request-id ID --model M --force`.",
            ),
            FindingCode::CreditMismatch => (
                "The route and the credit source disagree: codex must bill codex-credits, images and responses openai-api, gateway.NAME provider:NAME, local and manual none.",
                "Cost reports sum spend per credit source; a Codex image billed as OpenAI API spend, or a gateway's price counted as OpenAI's, makes every total wrong.",
                "Fix the entry's credit (or its route) so they agree; assetrail never writes mismatched entries itself, so this usually follows a hand edit or a merge.",
            ),
            FindingCode::LfsMismatch => (
                "A Git LFS pointer's `oid sha256:` differs from the sha256 recorded for the asset.",
                "The object LFS will download is not the image the provenance entry describes.",
                "Fetch the right object (`git lfs pull`) and restore the pointer, or record the new image with --force.",
            ),
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
