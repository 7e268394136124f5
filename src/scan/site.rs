//! Sites inside a repository: where each one's root is, which framework it
//! uses, which folders serve `/x.png`, its import aliases and its own origins.
//! A monorepo holds several; every content file belongs to the nearest.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::repo_path;

/// The web frameworks whose path conventions assetrail knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Next.js (and Nextra): `public/`.
    Next,
    /// Astro: `public/`.
    Astro,
    /// Docusaurus: `static/`, `@site/`.
    Docusaurus,
    /// Gatsby: `static/`.
    Gatsby,
    /// Vite: `public/`.
    Vite,
    /// Hugo: `static/`.
    Hugo,
    /// Mintlify: the docs root itself.
    Mintlify,
    /// Nothing recognized: `public/` by default.
    Unknown,
}

impl Framework {
    fn from_marker(name: &str) -> Option<Framework> {
        let stem = name.split('.').next().unwrap_or(name);
        Some(match stem {
            "next" if name.starts_with("next.config.") => Framework::Next,
            "astro" if name.starts_with("astro.config.") => Framework::Astro,
            "docusaurus" if name.starts_with("docusaurus.config.") => Framework::Docusaurus,
            "gatsby-config" => Framework::Gatsby,
            "vite" if name.starts_with("vite.config.") => Framework::Vite,
            "hugo" if name == "hugo.toml" || name == "hugo.yaml" => Framework::Hugo,
            "docs" | "mint" if name == "docs.json" || name == "mint.json" => Framework::Mintlify,
            _ => return None,
        })
    }

    fn from_package_json(text: &str) -> Option<Framework> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let has = |dep: &str| {
            ["dependencies", "devDependencies"]
                .iter()
                .any(|section| value.get(section).and_then(|d| d.get(dep)).is_some())
        };
        [
            ("@docusaurus/core", Framework::Docusaurus),
            ("next", Framework::Next),
            ("astro", Framework::Astro),
            ("gatsby", Framework::Gatsby),
            ("vite", Framework::Vite),
        ]
        .into_iter()
        .find(|(dep, _)| has(dep))
        .map(|(_, framework)| framework)
    }

    /// Folders (relative to the site root) that serve root-absolute URLs.
    fn static_dirs(self) -> &'static [&'static str] {
        match self {
            Framework::Docusaurus | Framework::Gatsby | Framework::Hugo => &["static"],
            Framework::Mintlify => &[""],
            _ => &["public"],
        }
    }
}

/// One site and how it maps references to files.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Repo-relative root (`""` for the repository root).
    pub root: String,
    /// Its framework.
    pub framework: Framework,
    /// URL prefix → repo-relative folder, longest prefix first.
    pub url_map: Vec<(String, String)>,
    /// Import alias prefix → repo-relative folder, longest prefix first.
    pub aliases: Vec<(String, String)>,
    /// tsconfig `baseUrl` as a repo-relative folder.
    pub base_url: Option<String>,
    /// The site's own origins (`https://example.com`), mapped to its root.
    pub origins: Vec<String>,
}

impl Site {
    /// Repo-relative static folders.
    pub fn static_dirs(&self) -> impl Iterator<Item = &str> {
        self.url_map
            .iter()
            .filter(|(prefix, _)| prefix == "/")
            .map(|(_, dir)| dir.as_str())
    }
}

/// All sites of a repository.
#[derive(Debug, Clone)]
pub struct Sites {
    /// Deepest root first, so the first match is the nearest.
    sites: Vec<Site>,
}

const MARKER_PREFIXES: &[&str] = &[
    "next.config.",
    "astro.config.",
    "docusaurus.config.",
    "gatsby-config.",
    "vite.config.",
];

/// Whether a file name marks a site root (or may, for `package.json`).
pub fn is_marker(name: &str) -> bool {
    MARKER_PREFIXES.iter().any(|p| name.starts_with(p))
        || matches!(
            name,
            "hugo.toml" | "hugo.yaml" | "docs.json" | "mint.json" | "package.json"
        )
}

impl Sites {
    /// Finds the sites among `markers` (repo-relative paths of marker files).
    pub fn discover(root: &Path, config: &Config, markers: &[String]) -> Sites {
        let mut frameworks: BTreeMap<String, Framework> = BTreeMap::new();
        for marker in markers {
            let dir = repo_path::parent(marker).to_owned();
            let name = repo_path::file_name(marker);
            let framework = if name == "package.json" {
                std::fs::read_to_string(root.join(marker))
                    .ok()
                    .and_then(|text| Framework::from_package_json(&text))
            } else {
                Framework::from_marker(name)
            };
            if let Some(framework) = framework {
                // A config file is more specific than package.json.
                let entry = frameworks.entry(dir).or_insert(framework);
                if name != "package.json" {
                    *entry = framework;
                }
            }
        }
        frameworks
            .entry(String::new())
            .or_insert(Framework::Unknown);
        let mut sites: Vec<Site> = frameworks
            .into_iter()
            .map(|(dir, framework)| build_site(root, config, dir, framework))
            .collect();
        sites.sort_by_key(|s| {
            std::cmp::Reverse(s.root.matches('/').count() + usize::from(!s.root.is_empty()))
        });
        Sites { sites }
    }

    /// The site a repo-relative file belongs to.
    pub fn site_of(&self, file: &str) -> &Site {
        self.sites
            .iter()
            .find(|s| s.root.is_empty() || repo_path::is_within(file, &s.root))
            .expect("the repository root is always a site")
    }

    /// Every site.
    pub fn all(&self) -> &[Site] {
        &self.sites
    }
}

fn build_site(root: &Path, config: &Config, dir: String, framework: Framework) -> Site {
    let join = |rel: &str| {
        if rel.is_empty() {
            dir.clone()
        } else {
            repo_path::join(&dir, rel)
        }
    };
    let mut url_map: Vec<(String, String)> = if dir.is_empty() && !config.urls.is_empty() {
        config
            .urls
            .iter()
            .map(|(p, d)| (p.clone(), d.clone()))
            .collect()
    } else {
        framework
            .static_dirs()
            .iter()
            .map(|d| ("/".to_owned(), join(d)))
            .collect()
    };
    url_map.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));

    let (tsconfig_aliases, base_url) = tsconfig_aliases(root, &dir);
    let mut aliases: Vec<(String, String)> = tsconfig_aliases;
    let src = join("src");
    let src_or_root = if root.join(&src).is_dir() {
        src
    } else {
        dir.clone()
    };
    for (prefix, target) in [
        ("@site/", dir.clone()),
        ("~/", src_or_root.clone()),
        ("@/", src_or_root),
    ] {
        if !aliases.iter().any(|(p, _)| p == prefix) {
            aliases.push((prefix.to_owned(), target));
        }
    }
    for (prefix, target) in &config.aliases {
        aliases.retain(|(p, _)| p != prefix);
        aliases.push((prefix.clone(), target.clone()));
    }
    aliases.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));

    let mut origins: Vec<String> = config
        .site_urls
        .iter()
        .map(|u| u.trim_end_matches('/').to_owned())
        .collect();
    origins.extend(framework_origins(root, &dir));
    origins.sort();
    origins.dedup();
    Site {
        root: dir,
        framework,
        url_map,
        aliases,
        base_url,
        origins,
    }
}

/// `paths` and `baseUrl` from the site's tsconfig.json or jsconfig.json (JSONC),
/// following a local `extends` once; a package `extends` is ignored.
fn tsconfig_aliases(root: &Path, dir: &str) -> (Vec<(String, String)>, Option<String>) {
    for name in ["tsconfig.json", "jsconfig.json"] {
        let rel = repo_path::join(dir, name);
        let Some(options) = read_compiler_options(root, &rel, 0) else {
            continue;
        };
        let config_dir = repo_path::parent(&rel).to_owned();
        let base = options
            .get("baseUrl")
            .and_then(|b| b.as_str())
            .and_then(|b| resolve_dir(&config_dir, b));
        let mut aliases = Vec::new();
        if let Some(paths) = options.get("paths").and_then(|p| p.as_object()) {
            for (pattern, targets) in paths {
                let Some(target) = targets
                    .as_array()
                    .and_then(|t| t.first())
                    .and_then(|t| t.as_str())
                else {
                    continue;
                };
                let prefix = pattern.trim_end_matches('*');
                let target = target.trim_end_matches('*');
                let from = base.clone().unwrap_or_else(|| config_dir.clone());
                if let Some(target_dir) = resolve_dir(&from, target) {
                    aliases.push((prefix.to_owned(), target_dir));
                }
            }
        }
        return (aliases, base);
    }
    (Vec::new(), None)
}

fn read_compiler_options(
    root: &Path,
    rel: &str,
    depth: usize,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let text = std::fs::read_to_string(root.join(rel)).ok()?;
    let value: serde_json::Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
    let mut options = value
        .get("compilerOptions")
        .and_then(|o| o.as_object())
        .cloned()
        .unwrap_or_default();
    if depth < 3
        && let Some(extends) = value.get("extends").and_then(|e| e.as_str())
        && extends.starts_with('.')
    {
        let parent = resolve_dir(repo_path::parent(rel), extends);
        if let Some(parent_options) =
            parent.and_then(|p| read_compiler_options(root, &p, depth + 1))
        {
            for (key, value) in parent_options {
                options.entry(key).or_insert(value);
            }
        }
    }
    Some(options)
}

/// `from` + `rel` normalized; `None` when it leaves the repository.
pub fn resolve_dir(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// JSON with comments and trailing commas → JSON.
pub fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.push_str(&text[start..i]);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
            }
            b',' => {
                let rest = text[i + 1..].trim_start();
                if !(rest.starts_with('}') || rest.starts_with(']')) {
                    out.push(',');
                }
                i += 1;
            }
            _ => {
                let start = i;
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'/' | b',') {
                    i += 1;
                }
                out.push_str(&text[start..i]);
            }
        }
    }
    out
}

/// Origins named in the site's framework config: `url:` (Docusaurus),
/// `site:` (Astro), `siteUrl:` (Gatsby, Next site metadata).
fn framework_origins(root: &Path, dir: &str) -> Vec<String> {
    let mut origins = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return origins;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !MARKER_PREFIXES.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        for key in ["url", "site", "siteUrl"] {
            let mut from = 0;
            while let Some(pos) = text[from..].find(key) {
                let at = from + pos + key.len();
                from = at;
                let before_ok =
                    pos == 0 || !text.as_bytes()[from - key.len() - 1].is_ascii_alphanumeric();
                let rest = text[at..].trim_start();
                let Some(rest) = rest.strip_prefix(':') else {
                    continue;
                };
                let rest = rest.trim_start();
                let Some(quote) = rest
                    .chars()
                    .next()
                    .filter(|c| matches!(c, '"' | '\'' | '`'))
                else {
                    continue;
                };
                let value = rest[1..].split(quote).next().unwrap_or("");
                if before_ok && (value.starts_with("https://") || value.starts_with("http://")) {
                    origins.push(value.trim_end_matches('/').to_owned());
                }
            }
        }
    }
    origins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let text = "{\n  // comment\n  \"a\": \"http://x\", /* block */\n  \"b\": [1, 2,],\n}";
        let value: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).unwrap();
        assert_eq!(value["a"], "http://x");
        assert_eq!(value["b"], serde_json::json!([1, 2]));
    }

    #[test]
    fn resolve_dir_stays_inside() {
        assert_eq!(resolve_dir("docs", "./src").as_deref(), Some("docs/src"));
        assert_eq!(resolve_dir("docs", "..").as_deref(), Some(""));
        assert_eq!(resolve_dir("", ".."), None);
    }

    #[test]
    fn markers_name_frameworks() {
        assert_eq!(
            Framework::from_marker("next.config.mjs"),
            Some(Framework::Next)
        );
        assert_eq!(
            Framework::from_marker("docusaurus.config.ts"),
            Some(Framework::Docusaurus)
        );
        assert_eq!(
            Framework::from_marker("docs.json"),
            Some(Framework::Mintlify)
        );
        assert_eq!(Framework::from_marker("nextjs.md"), None);
        assert_eq!(
            Framework::from_package_json(r#"{"dependencies": {"@docusaurus/core": "3"}}"#),
            Some(Framework::Docusaurus)
        );
    }
}
