//! `assets.toml`: the typed configuration, its defaults, and validation whose
//! errors name the file, line and column and the values that would be accepted.

mod kind;
mod pricing;
mod route;

use kind::RawKinds;
pub use kind::{AssetKind, KindDefaults};
pub use pricing::PriceTable;
use route::RawRoute;
pub use route::{RouteConfig, RouteType};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::choice_enum;
use crate::error::{Error, Location, Result};
use crate::finding::{FindingCode, Severity};
use crate::models::{ModelInfo, Models};
use crate::repo_path;

/// The configuration file's name, at the repository root.
pub const CONFIG_FILE: &str = "assets.toml";
/// The documented example every `init` starts from.
pub const EXAMPLE: &str = include_str!("../../assets.toml.example");
/// The newest `assets.toml` schema this build reads.
pub const CONFIG_VERSION: i64 = 1;

/// The loaded, validated `assets.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site's name, drawn on the offline route's title cards.
    pub site_name: Option<String>,
    /// Managed folders, repo-relative, without trailing slashes.
    pub folders: Vec<String>,
    /// Lowercase image extensions without dots.
    pub extensions: Vec<String>,
    /// URL prefix → folder, when set (otherwise each site's framework decides).
    pub urls: BTreeMap<String, String>,
    /// Import alias prefix → folder.
    pub aliases: BTreeMap<String, String>,
    /// Scan include globs.
    pub scan_include: Vec<String>,
    /// Scan exclude globs.
    pub scan_exclude: Vec<String>,
    /// The site's own origins (`https://example.com`): absolute URLs on them
    /// are references to local files.
    pub site_urls: Vec<String>,
    /// Extra object keys / JSX attributes whose values name images.
    pub image_keys: Vec<String>,
    /// Where the site settings above were written (`urls:/`, `aliases:@/`,
    /// `site_urls:https://…` → `assets.toml:LINE`), for `assetrail sites`.
    pub sources: BTreeMap<String, String>,
    /// Route used when nothing else names one.
    pub default_route: String,
    /// Folder for `generate` without a kind or `--out`.
    pub default_folder: String,
    /// Defaults per asset kind.
    pub kinds: BTreeMap<AssetKind, KindDefaults>,
    /// Routes by name (always includes `local`, `codex` and `manual`).
    pub routes: BTreeMap<String, RouteConfig>,
    /// Price tables by name.
    pub pricing: BTreeMap<String, PriceTable>,
    /// Allow-list globs for images that need no manifest entry.
    pub allow: Vec<String>,
    allow_set: GlobSet,
    /// Images that are used though no scanned file names them (a build
    /// plugin's output, a CMS): never orphans.
    pub keep: Vec<String>,
    keep_set: GlobSet,
    /// Which assets the orphan rule judges.
    pub orphans: OrphanPolicy,
    /// Severity per finding code.
    pub severity: BTreeMap<FindingCode, Severity>,
    /// Model capabilities (shipped defaults plus `[models]`).
    pub models: Models,
}

choice_enum! {
    /// Which recorded assets must be referenced from somewhere.
    pub enum OrphanPolicy: "orphan policy" {
        /// Generated ones (every route but `manual`).
        Generated = "generated",
        /// All of them, hand-adopted ones too.
        All = "all",
    }
}

impl Config {
    /// Loads `assets.toml` from the repository root.
    pub fn load(repo_root: &Path) -> Result<Config> {
        let path = repo_root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Config {
                    message: format!("{CONFIG_FILE} not found in {}", repo_root.display()),
                    hint: Some(
                        "run `assetrail init` to write one from the documented example".into(),
                    ),
                });
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        Config::parse(&text, CONFIG_FILE)
    }

    /// Parses and validates configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = Location::from_offset(file, text, e.span().map_or(0, |s| s.start));
            Error::config_at(&at, e.message().trim_end())
                .with_hint(format!("see assets.toml.example for every key ({file})"))
        })?;
        Validator { text, file }.finish(raw)
    }

    /// Whether `path` (repo-relative) lies inside a managed folder.
    pub fn managed_folder_of(&self, path: &str) -> Option<&str> {
        self.folders
            .iter()
            .map(String::as_str)
            .find(|folder| repo_path::is_within(path, folder))
    }

    /// Whether `path` has one of the configured image extensions.
    pub fn is_image_path(&self, path: &str) -> bool {
        repo_path::extension(path).is_some_and(|ext| self.extensions.contains(&ext))
    }

    /// Whether `path` matches a `[check] keep` glob.
    pub fn is_kept(&self, path: &str) -> bool {
        self.keep_set.is_match(path)
    }

    /// Whether `path` matches the check allow-list.
    pub fn is_allowed(&self, path: &str) -> bool {
        self.allow_set.is_match(path)
    }

    /// Looks up a route by name, with the list of known names on failure.
    pub fn route(&self, name: &str) -> Result<&RouteConfig> {
        self.routes.get(name).ok_or_else(|| {
            Error::usage(
                format!(
                    "unknown route {name:?} (known: {})",
                    self.routes.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                format!("add [routes.{name}] to {CONFIG_FILE} or pick a known route"),
            )
        })
    }

    /// The severity configured for a finding code.
    pub fn severity_of(&self, code: FindingCode) -> Severity {
        self.severity
            .get(&code)
            .copied()
            .unwrap_or_else(|| code.default_severity())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    assets: RawAssets,
    #[serde(default)]
    urls: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    aliases: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    kinds: RawKinds,
    #[serde(default)]
    routes: BTreeMap<String, Spanned<RawRoute>>,
    #[serde(default)]
    pricing: BTreeMap<String, Spanned<PriceTable>>,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    models: BTreeMap<String, ModelInfo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssets {
    #[serde(default = "default_folders")]
    folders: Vec<Spanned<String>>,
    #[serde(default = "default_extensions")]
    extensions: Vec<String>,
    #[serde(default)]
    site_name: Option<String>,
}

impl Default for RawAssets {
    fn default() -> Self {
        RawAssets {
            folders: default_folders(),
            extensions: default_extensions(),
            site_name: None,
        }
    }
}

fn default_folders() -> Vec<Spanned<String>> {
    ["public", "assets", "src/assets"]
        .iter()
        .map(|f| Spanned::new(0..0, (*f).to_owned()))
        .collect()
}

fn default_extensions() -> Vec<String> {
    ["png", "jpg", "jpeg", "webp", "gif", "avif", "svg", "ico"]
        .iter()
        .map(|e| (*e).to_owned())
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    #[serde(default = "default_include")]
    include: Vec<String>,
    #[serde(default = "default_exclude")]
    exclude: Vec<String>,
    #[serde(default)]
    site_urls: Vec<Spanned<String>>,
    #[serde(default)]
    image_keys: Vec<String>,
}

impl Default for RawScan {
    fn default() -> Self {
        RawScan {
            include: default_include(),
            exclude: default_exclude(),
            site_urls: Vec::new(),
            image_keys: Vec::new(),
        }
    }
}

/// The `[scan] include` list `init` wrote before `.svelte` and `.markdown`
/// files were read: a file that still holds it word for word never chose
/// it, so it gets today's default.
const EARLIER_DEFAULT_INCLUDE: &[&str] = &[
    "**/*.md",
    "**/*.mdx",
    "**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts}",
    "**/*.astro",
    "**/*.vue",
    "**/*.{html,htm}",
    "**/*.{css,scss,sass,less}",
    "**/*.json",
    "**/*.webmanifest",
    "**/browserconfig.xml",
];

/// `include` as written, or today's default for an earlier default.
fn upgraded_include(include: Vec<String>) -> Vec<String> {
    if include
        .iter()
        .map(String::as_str)
        .eq(EARLIER_DEFAULT_INCLUDE.iter().copied())
    {
        default_include()
    } else {
        include
    }
}

fn default_include() -> Vec<String> {
    [
        "**/*.{md,markdown}",
        "**/*.mdx",
        "**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts}",
        "**/*.astro",
        "**/*.vue",
        "**/*.svelte",
        "**/*.{html,htm}",
        "**/*.{css,scss,sass,less}",
        "**/*.json",
        "**/*.webmanifest",
        "**/browserconfig.xml",
    ]
    .iter()
    .map(|g| (*g).to_owned())
    .collect()
}

fn default_exclude() -> Vec<String> {
    [
        "**/node_modules/**",
        "**/.next/**",
        "**/dist/**",
        "**/build/**",
        "**/out/**",
        "**/__tests__/**",
        "**/*.test.*",
        "**/*.spec.*",
        "**/*.d.ts",
        "**/package.json",
        "**/package-lock.json",
        "**/tsconfig*.json",
        "**/jsconfig.json",
    ]
    .iter()
    .map(|g| (*g).to_owned())
    .collect()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    route: Option<Spanned<String>>,
    folder: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    keep: Vec<Spanned<String>>,
    orphans: Option<Spanned<String>>,
    /// The severity of placeholder assets (AR013): off, warn or error.
    placeholders: Option<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
}

/// Turns the raw, span-carrying configuration into a [`Config`], reporting the
/// first invalid value at its location.
struct Validator<'a> {
    text: &'a str,
    file: &'a str,
}

impl Validator<'_> {
    fn at<T>(&self, spanned: &Spanned<T>) -> Location {
        Location::from_offset(self.file, self.text, spanned.span().start)
    }

    /// Globs, checked one by one so an error points at the bad one.
    fn glob_list(&self, patterns: &[Spanned<String>]) -> Result<(Vec<String>, GlobSet)> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern.get_ref()).map_err(|e| {
                self.error(
                    pattern,
                    format!("invalid glob {:?}: {e}", pattern.get_ref()),
                )
            })?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| Error::config_at(&Location::from_offset(self.file, "", 0), e))?;
        Ok((patterns.iter().map(|p| p.get_ref().clone()).collect(), set))
    }

    /// `assets.toml:LINE` of a value, for reports that say where a setting came from.
    fn source_of<T>(&self, spanned: &Spanned<T>) -> String {
        let at = self.at(spanned);
        format!("{}:{}", at.file, at.line)
    }

    fn error<T>(&self, spanned: &Spanned<T>, message: impl std::fmt::Display) -> Error {
        Error::config_at(&self.at(spanned), message)
    }

    fn choice<T: std::str::FromStr<Err = String>>(&self, value: &Spanned<String>) -> Result<T> {
        value
            .get_ref()
            .parse::<T>()
            .map_err(|message| self.error(value, message))
    }

    fn folder(&self, value: &Spanned<String>) -> Result<String> {
        repo_path::normalize(value.get_ref())
            .map_err(|why| self.error(value, format!("folder {:?}: {why}", value.get_ref())))
    }

    /// Like `folder`, but `""` or `"."` name the repository root.
    fn folder_or_root(&self, value: &Spanned<String>) -> Result<String> {
        if matches!(value.get_ref().trim_end_matches('/'), "" | ".") {
            return Ok(String::new());
        }
        self.folder(value)
    }

    fn finish(&self, raw: RawConfig) -> Result<Config> {
        if let Some(version) = &raw.version
            && *version.get_ref() != CONFIG_VERSION
        {
            return Err(self.error(
                version,
                format!(
                    "unsupported config version {} (this assetrail reads version {CONFIG_VERSION})",
                    version.get_ref()
                ),
            ));
        }

        let mut folders = Vec::new();
        for folder in &raw.assets.folders {
            folders.push(self.folder(folder)?);
        }
        let extensions = raw
            .assets
            .extensions
            .iter()
            .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
            .collect();
        let inside_managed = |value: &Spanned<String>, folder: &str| -> Result<()> {
            if folders.iter().any(|f| repo_path::is_within(folder, f)) {
                Ok(())
            } else {
                Err(self.error(
                    value,
                    format!(
                        "folder {folder:?} is outside the managed folders ({})",
                        folders.join(", ")
                    ),
                ))
            }
        };

        let mut sources = BTreeMap::new();
        let mut urls = BTreeMap::new();
        for (prefix, folder) in &raw.urls {
            urls.insert(prefix.clone(), self.folder_or_root(folder)?);
            sources.insert(format!("urls:{prefix}"), self.source_of(folder));
        }
        let mut aliases = BTreeMap::new();
        for (prefix, folder) in &raw.aliases {
            aliases.insert(prefix.clone(), self.folder_or_root(folder)?);
            sources.insert(format!("aliases:{prefix}"), self.source_of(folder));
        }

        let routes = self.routes(&raw)?;

        let mut kinds = BTreeMap::new();
        for &kind in AssetKind::ALL {
            let raw_kind = raw.kinds.get(&kind);
            let defaults = self.kind(kind, raw_kind, &routes)?;
            if let Some(raw_kind) = raw_kind
                && let Some(folder) = &raw_kind.folder
            {
                inside_managed(folder, &defaults.folder)?;
            }
            kinds.insert(kind, defaults);
        }

        let default_route = match &raw.defaults.route {
            Some(route) => {
                self.known_route(route, &routes)?;
                route.get_ref().clone()
            }
            None => "local".to_owned(),
        };
        let default_folder = match &raw.defaults.folder {
            Some(folder) => {
                let normalized = self.folder(folder)?;
                inside_managed(folder, &normalized)?;
                normalized
            }
            None => folders
                .first()
                .map_or_else(|| "public/images".to_owned(), |f| format!("{f}/images")),
        };

        let (allow, allow_set) = self.glob_list(&raw.check.allow)?;
        let (keep, keep_set) = self.glob_list(&raw.check.keep)?;
        let orphans = match &raw.check.orphans {
            Some(value) => self.choice::<OrphanPolicy>(value)?,
            None => OrphanPolicy::Generated,
        };

        let mut severity = BTreeMap::new();
        if let Some(level) = &raw.check.placeholders {
            severity.insert(
                FindingCode::PlaceholderAsset,
                self.choice::<Severity>(level)?,
            );
        }
        for (code, level) in &raw.check.severity {
            let code: FindingCode = code.parse().map_err(|m| self.error(level, m))?;
            severity.insert(code, self.choice::<Severity>(level)?);
        }

        let mut site_urls = Vec::new();
        for url in &raw.scan.site_urls {
            let value = url.get_ref();
            if !(value.starts_with("https://") || value.starts_with("http://")) {
                return Err(self.error(
                    url,
                    format!("site URL {value:?} must start with https:// or http://"),
                ));
            }
            let value = value.trim_end_matches('/').to_owned();
            sources.insert(format!("site_urls:{value}"), self.source_of(url));
            site_urls.push(value);
        }
        for pattern in raw.scan.include.iter().chain(&raw.scan.exclude) {
            Glob::new(pattern).map_err(|e| {
                Error::config_at(
                    &Location::from_offset(
                        self.file,
                        self.text,
                        self.text.find(pattern.as_str()).unwrap_or(0),
                    ),
                    format!("invalid glob {pattern:?}: {e}"),
                )
            })?;
        }

        let pricing = raw
            .pricing
            .iter()
            .map(|(name, table)| Ok((name.clone(), self.price_table(table)?)))
            .collect::<Result<_>>()?;

        Ok(Config {
            site_name: raw.assets.site_name.clone(),
            folders,
            extensions,
            urls,
            aliases,
            site_urls,
            image_keys: raw.scan.image_keys.clone(),
            sources,
            scan_include: upgraded_include(raw.scan.include),
            scan_exclude: raw.scan.exclude,
            default_route,
            default_folder,
            kinds,
            routes,
            pricing,
            allow,
            allow_set,
            keep,
            keep_set,
            orphans,
            severity,
            models: Models::with_overrides(raw.models),
        })
    }
}

/// The path of `assets.toml` under a repository root.
pub fn config_path(repo_root: &Path) -> PathBuf {
    repo_root.join(CONFIG_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Config::parse(text, "assets.toml").unwrap_err().to_string()
    }

    #[test]
    fn the_example_parses_and_matches_the_builtin_defaults() {
        let config = Config::parse(EXAMPLE, "assets.toml.example").unwrap();
        for kind in AssetKind::ALL {
            assert_eq!(config.kinds[kind], kind::builtin_kind(*kind), "{kind}");
        }
        assert_eq!(config.default_route, "local");
        assert_eq!(config.routes["images"].route_type, RouteType::Images);
        assert_eq!(config.routes["responses"].route_type, RouteType::Responses);
        let gateway =
            Config::parse("[routes.\"gateway.acme\"]\ntype = \"gateway\"\n", "a").unwrap();
        assert_eq!(
            gateway.routes["gateway.acme"].credit.to_string(),
            "provider:acme"
        );
        assert_eq!(
            gateway.routes["gateway.acme"].manifest_route().to_string(),
            "gateway.acme"
        );
        assert!(config.urls.is_empty() && config.aliases.is_empty() && config.site_urls.is_empty());
        assert_eq!(config.orphans, OrphanPolicy::Generated);
        assert_eq!(
            config.severity_of(FindingCode::OrphanAsset),
            Severity::Warning
        );
    }

    #[test]
    fn an_include_list_an_earlier_init_wrote_reads_today_s_default() {
        let example = Config::parse(EXAMPLE, "assets.toml.example").unwrap();
        assert_eq!(example.scan_include, default_include());
        let earlier = format!(
            "[scan]\ninclude = [{}]\n",
            EARLIER_DEFAULT_INCLUDE
                .iter()
                .map(|g| format!("{g:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let config = Config::parse(&earlier, "assets.toml").unwrap();
        assert_eq!(config.scan_include, default_include());
        assert!(config.scan_include.iter().any(|g| g == "**/*.svelte"));
        // A list the user chose stays as written.
        let chosen = Config::parse("[scan]\ninclude = [\"**/*.md\"]\n", "assets.toml").unwrap();
        assert_eq!(chosen.scan_include, ["**/*.md"]);
    }

    #[test]
    fn an_empty_file_gets_defaults() {
        let config = Config::parse("", "assets.toml").unwrap();
        assert_eq!(config.folders, ["public", "assets", "src/assets"]);
        assert!(config.routes.contains_key("local"));
        assert_eq!(config.default_folder, "public/images");
    }

    #[test]
    fn unknown_route_type_names_line_column_and_choices() {
        let text = "version = 1\n\n[routes.x]\ntype = \"imagess\"\n";
        assert_eq!(
            err(text),
            "assets.toml:4:8: unknown route type \"imagess\" (expected one of: local, codex, manual, images, responses, gateway)"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = err("[assets]\nfolderz = [\"public\"]\n");
        assert!(
            e.starts_with("assets.toml:2:1: unknown field `folderz`"),
            "{e}"
        );
    }

    #[test]
    fn garbled_toml_is_located() {
        let e = err("version = 1\n[kinds.cover\n");
        assert!(e.starts_with("assets.toml:2:"), "{e}");
    }

    #[test]
    fn invalid_values_are_located() {
        let cases = [
            (
                "[kinds.cover]\nsize = \"1000x1000\"\n",
                "assets.toml:2:8: size 1000x1000",
            ),
            (
                "[kinds.ui]\nformat = \"gif\"\n",
                "assets.toml:2:10: unknown image format",
            ),
            (
                "[kinds.ui]\nformat = \"jpeg\"\nbackground = \"transparent\"\n",
                "assets.toml:3:14: kind ui: a transparent background needs png or webp",
            ),
            (
                "[routes.c]\ntype = \"codex\"\ncredit = \"openai-api\"\n",
                "assets.toml:3:10: route \"c\" of type codex bills \"codex-credits\"",
            ),
            (
                "[defaults]\nroute = \"nope\"\n",
                "assets.toml:2:9: unknown route \"nope\"",
            ),
            (
                "[kinds.cover]\nfolder = \"../x\"\n",
                "assets.toml:2:10: folder \"../x\"",
            ),
            (
                "[kinds.cover]\nfolder = \"site/img\"\n",
                "outside the managed folders",
            ),
            (
                "[check.severity]\nAR999 = \"error\"\n",
                "unknown finding code \"AR999\"",
            ),
            (
                "[check.severity]\nAR001 = \"fatal\"\n",
                "unknown severity \"fatal\"",
            ),
            ("[routes.g]\ntype = \"gateway\"\n", "needs a provider"),
            (
                "version = 7\n",
                "assets.toml:1:11: unsupported config version 7",
            ),
        ];
        for (text, expected) in cases {
            let e = err(text);
            assert!(e.contains(expected), "{text:?}: {e}");
        }
    }
}
