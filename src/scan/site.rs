//! Sites inside a repository: where each one's root is, which framework it
//! uses, which folders serve `/x.png`, its import aliases and its own origins.
//! A monorepo holds several; every content file belongs to the nearest.

use std::collections::BTreeMap;

use serde::Serialize;

use super::site_config::ConfigValues;
use super::tree::Tree;
use crate::config::Config;
use crate::repo_path;

/// The web frameworks whose path conventions assetrail knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Next.js (and Nextra): `public/`, App Router metadata files.
    Next,
    /// Astro (and Starlight): `public/`.
    Astro,
    /// Docusaurus: `static/` (`staticDirectories`), `baseUrl`, `.md` as MDX.
    Docusaurus,
    /// Gatsby: `static/`.
    Gatsby,
    /// Vite: `public/` (`publicDir`).
    Vite,
    /// VitePress: `<srcDir>/public`, `base`.
    VitePress,
    /// Hugo: `static/` (`staticDir`), page bundles.
    Hugo,
    /// SvelteKit: `static/` (`kit.files.assets`), `$lib`, `kit.paths.base`.
    SvelteKit,
    /// Nuxt: `public/` (`dir.public`), `~/` for the source folder (`app/`
    /// in Nuxt 4), `~~/` for the root, `app.baseURL`.
    Nuxt,
    /// Jekyll (GitHub Pages): the site root is served, `baseurl`, Liquid.
    Jekyll,
    /// Mintlify: the docs root itself.
    Mintlify,
    /// Nothing recognized: `public/` by default.
    Unknown,
}

impl Framework {
    /// The name as `sites` and `init` print it (and JSON spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Next => "next",
            Framework::Astro => "astro",
            Framework::Docusaurus => "docusaurus",
            Framework::Gatsby => "gatsby",
            Framework::Vite => "vite",
            Framework::VitePress => "vitepress",
            Framework::Hugo => "hugo",
            Framework::SvelteKit => "sveltekit",
            Framework::Nuxt => "nuxt",
            Framework::Jekyll => "jekyll",
            Framework::Mintlify => "mintlify",
            Framework::Unknown => "unknown",
        }
    }

    /// The framework a marker file names, from its repo-relative path.
    fn from_marker(path: &str) -> Option<Framework> {
        let name = repo_path::file_name(path);
        if name.starts_with("config.")
            && repo_path::file_name(repo_path::parent(path)) == ".vitepress"
        {
            return Some(Framework::VitePress);
        }
        Some(match name {
            _ if name.starts_with("next.config.") => Framework::Next,
            _ if name.starts_with("astro.config.") => Framework::Astro,
            _ if name.starts_with("docusaurus.config.") => Framework::Docusaurus,
            _ if name.starts_with("gatsby-config.") => Framework::Gatsby,
            _ if name.starts_with("vite.config.") => Framework::Vite,
            _ if name.starts_with("svelte.config.") => Framework::SvelteKit,
            _ if name.starts_with("nuxt.config.") => Framework::Nuxt,
            "hugo.toml" | "hugo.yaml" | "hugo.yml" | "hugo.json" => Framework::Hugo,
            "docs.json" | "mint.json" => Framework::Mintlify,
            "_config.yml" | "_config.yaml" => Framework::Jekyll,
            _ => return None,
        })
    }

    /// What a marker file's text says more precisely: a `svelte.config.*`
    /// without SvelteKit's options is a plain Svelte app's (its site is
    /// Vite's), and a `vite.config.*` that loads SvelteKit's plugin marks a
    /// SvelteKit site.
    fn refine(self, text: &str) -> Option<Framework> {
        let kit = text.contains("@sveltejs/kit") || text.contains("@sveltejs/adapter");
        match self {
            Framework::SvelteKit if !kit && !text.contains("kit:") => None,
            Framework::Vite if kit => Some(Framework::SvelteKit),
            other => Some(other),
        }
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
            ("@sveltejs/kit", Framework::SvelteKit),
            ("nuxt", Framework::Nuxt),
            ("next", Framework::Next),
            ("astro", Framework::Astro),
            ("gatsby", Framework::Gatsby),
            ("vitepress", Framework::VitePress),
            ("vite", Framework::Vite),
        ]
        .into_iter()
        .find(|(dep, _)| has(dep))
        .map(|(_, framework)| framework)
    }

    /// The default static folder (relative to the source folder for VitePress).
    fn default_static_dir(self) -> &'static str {
        match self {
            Framework::Docusaurus | Framework::Gatsby | Framework::Hugo | Framework::SvelteKit => {
                "static"
            }
            Framework::Mintlify | Framework::Jekyll => "",
            _ => "public",
        }
    }

    /// Config keys: (base path, origin, static folders).
    fn keys(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Framework::Docusaurus => ("baseUrl", "url", "staticDirectories"),
            Framework::Astro => ("base", "site", "publicDir"),
            Framework::Vite => ("base", "", "publicDir"),
            Framework::VitePress => ("base", "sitemap.hostname", ""),
            Framework::Next => ("basePath", "", ""),
            Framework::Gatsby => ("pathPrefix", "siteMetadata.siteUrl", ""),
            Framework::Hugo => ("", "baseURL", "staticDir"),
            Framework::SvelteKit => ("kit.paths.base", "", "kit.files.assets"),
            Framework::Nuxt => ("app.baseURL", "", "dir.public"),
            Framework::Jekyll => ("baseurl", "url", ""),
            Framework::Mintlify | Framework::Unknown => ("", "", ""),
        }
    }
}

/// A setting and where it came from: `docusaurus.config.ts:12`,
/// `tsconfig.json`, `assets.toml:5`, or `default`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it was read.
    pub from: String,
}

impl<T> Sourced<T> {
    fn new(value: T, from: impl Into<String>) -> Self {
        Sourced {
            value,
            from: from.into(),
        }
    }
}

/// An import alias: `@site/` → `website`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Alias {
    /// The prefix as written in imports.
    pub prefix: String,
    /// The repo-relative folder it stands for.
    pub dir: String,
    /// Where it was read.
    pub from: String,
}

/// How a site's `.md` files are compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MarkdownMode {
    /// As CommonMark (with GFM).
    CommonMark,
    /// As MDX, HTML comments allowed (Docusaurus 3 without `markdown.format`).
    Mdx,
}

/// One site and how it maps references to files.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Site {
    /// Repo-relative root (`""` for the repository root).
    pub root: String,
    /// Its framework.
    pub framework: Framework,
    /// The framework config file read, repo-relative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// Folders (repo-relative) that serve `/x.png`, first match wins.
    pub static_dirs: Vec<Sourced<String>>,
    /// The URL path the site is served under (`/` or `/docs/`).
    pub base_path: Sourced<String>,
    /// The folder content lives in (VitePress and Astro `srcDir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_dir: Option<Sourced<String>>,
    /// The site's own origins, with the base path (`https://example.org/docs`).
    pub origins: Vec<Sourced<String>>,
    /// Import aliases, longest prefix first.
    pub aliases: Vec<Alias>,
    /// tsconfig `baseUrl` as a repo-relative folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsconfig_base: Option<String>,
    /// How `.md` files are compiled.
    pub markdown: MarkdownMode,
    /// Next.js App Router folder, where metadata files are served by convention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_dir: Option<String>,
    /// A site of no known framework without the default `public/` folder
    /// (plain HTML, GitHub Pages, Jekyll, Eleventy): it serves `/x.png` from
    /// its root.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub serves_root: bool,
    /// URL prefix → folder, longest prefix first (the static folders under
    /// `/`, or `[urls]` from assets.toml).
    #[serde(skip)]
    pub url_map: Vec<(String, String)>,
}

impl Site {
    /// Repo-relative static folders.
    pub fn static_dirs(&self) -> impl Iterator<Item = &str> {
        self.url_map
            .iter()
            .filter(|(prefix, _)| prefix == "/")
            .map(|(_, dir)| dir.as_str())
    }

    /// The syntax a content file is read as on this site: Docusaurus compiles
    /// `.md` as MDX (unless `markdown.format` says otherwise) and allows HTML
    /// comments in both.
    pub fn syntax_for(&self, syntax: super::Syntax) -> super::Syntax {
        use super::Syntax;
        match (self.framework, syntax, self.markdown) {
            (Framework::Docusaurus, Syntax::Mdx, _)
            | (Framework::Docusaurus, Syntax::Markdown, MarkdownMode::Mdx) => Syntax::DocusaurusMdx,
            (Framework::Hugo, Syntax::Markdown, _) => Syntax::HugoMarkdown,
            (Framework::Hugo, Syntax::Html, _) => Syntax::HugoHtml,
            (Framework::Jekyll, Syntax::Markdown, _) => Syntax::JekyllMarkdown,
            (Framework::Jekyll, Syntax::Html, _) => Syntax::JekyllHtml,
            _ => syntax,
        }
    }

    /// Where Vite looks for a root-absolute path that the public folder
    /// lacks, for a reference of `kind` that Vite builds (`None` for one
    /// served as written). Vite resolves such a path from its project root:
    /// VitePress's is the source folder, and it builds Markdown images and
    /// the HTML in pages as Vue templates, with every absolute URL in them.
    pub fn vite_root(&self, kind: super::RefKind) -> Option<&str> {
        use super::RefKind;
        let built = matches!(kind, RefKind::EsmImport | RefKind::CssUrl);
        match self.framework {
            Framework::VitePress
                if built
                    || matches!(
                        kind,
                        RefKind::MdImage | RefKind::MdDefinition | RefKind::HtmlAttr
                    ) =>
            {
                Some(self.src_dir.as_ref().map_or(&self.root, |d| &d.value))
            }
            Framework::Vite | Framework::Astro | Framework::SvelteKit if built => Some(&self.root),
            _ => None,
        }
    }

    /// How the framework's own code writes `path` with the base path added:
    /// the fix offered for an `outside-base` reference.
    pub fn with_base_call(&self, path: &str) -> String {
        match self.framework {
            Framework::Jekyll => format!("{{{{ '{path}' | relative_url }}}}"),
            _ => format!("useBaseUrl('{path}')"),
        }
    }

    /// The folder Hugo's `resources.Get` reads (`assets/` in the site root).
    pub fn asset_dir(&self) -> String {
        repo_path::join(&self.root, "assets")
    }

    /// The base path without its trailing slash (`""` at the root, `/docs`).
    pub fn base_prefix(&self) -> &str {
        self.base_path.value.trim_end_matches('/')
    }

    /// Whether the framework serves `path` by convention, with no reference
    /// in any file: `favicon.ico`, `apple-touch-icon*.png` and `robots.txt` at
    /// the top of a static folder; Next.js App Router metadata files.
    pub fn serves_by_convention(&self, path: &str) -> bool {
        let name = repo_path::file_name(path).to_ascii_lowercase();
        let dir = repo_path::parent(path);
        if self.static_dirs().any(|d| d == dir)
            && (name == "favicon.ico"
                || name == "robots.txt"
                || (name.starts_with("apple-touch-icon") && name.ends_with(".png")))
        {
            return true;
        }
        let Some(app) = &self.app_dir else {
            return false;
        };
        if !repo_path::is_within(path, app) {
            return false;
        }
        let stem = name.split('.').next().unwrap_or(&name);
        let numbered = |base: &str| {
            stem.strip_prefix(base)
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
        };
        (name == "favicon.ico" && dir == app.as_str())
            || ["icon", "apple-icon", "opengraph-image", "twitter-image"]
                .iter()
                .any(|base| numbered(base))
    }
}

/// A repo-relative folder as `sites` and `init` print it: `.` for the
/// repository root.
pub fn display_root(root: &str) -> &str {
    if root.is_empty() { "." } else { root }
}

/// Files GitHub renders (a `README.md` at any level, anything under
/// `.github/`): GitHub resolves `/x` in them from the repository root, never
/// as a site page would.
pub fn is_github_rendered(path: &str) -> bool {
    let name = repo_path::file_name(path).to_ascii_lowercase();
    path.starts_with(".github/")
        || matches!(
            name.as_str(),
            "readme.md" | "readme.markdown" | "readme.mdx"
        )
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
    "svelte.config.",
    "nuxt.config.",
];

/// Whether a repo-relative file marks a site root (or may, for `package.json`).
pub fn is_marker(path: &str) -> bool {
    let name = repo_path::file_name(path);
    MARKER_PREFIXES.iter().any(|p| name.starts_with(p))
        || matches!(
            name,
            "hugo.toml"
                | "hugo.yaml"
                | "hugo.yml"
                | "hugo.json"
                | "docs.json"
                | "mint.json"
                | "_config.yml"
                | "_config.yaml"
                | "package.json"
        )
        || Framework::from_marker(path) == Some(Framework::VitePress)
}

impl Sites {
    /// Finds the sites among `markers` (repo-relative paths of marker files).
    /// Config files are read from `tree`: the index for `check --staged`.
    pub fn discover(tree: &Tree, config: &Config, markers: &[String]) -> Sites {
        let root = tree;
        // Site root → (framework, its config file).
        let mut found: BTreeMap<String, (Framework, Option<String>)> = BTreeMap::new();
        for marker in markers {
            let name = repo_path::file_name(marker);
            if name == "package.json" {
                let dir = repo_path::parent(marker).to_owned();
                let framework =
                    read_text(root, marker).and_then(|text| Framework::from_package_json(&text));
                if let Some(framework) = framework {
                    // A config file is more specific than package.json.
                    found.entry(dir).or_insert((framework, None));
                }
            } else if let Some(framework) = Framework::from_marker(marker) {
                let mut dir = repo_path::parent(marker);
                if framework == Framework::VitePress {
                    dir = repo_path::parent(dir);
                }
                let framework = match framework {
                    Framework::SvelteKit | Framework::Vite => {
                        match framework.refine(&read_text(root, marker).unwrap_or_default()) {
                            Some(refined) => refined,
                            None => continue,
                        }
                    }
                    other => other,
                };
                // A framework's own config is more specific than Vite's.
                let is_vite_config =
                    |file: &str| repo_path::file_name(file).starts_with("vite.config.");
                if is_vite_config(marker)
                    && found.get(dir).is_some_and(|(_, config)| {
                        config.as_deref().is_some_and(|c| !is_vite_config(c))
                    })
                {
                    continue;
                }
                found.insert(dir.to_owned(), (framework, Some(marker.clone())));
            }
        }
        found
            .entry(String::new())
            .or_insert((Framework::Unknown, None));
        let mut sites: Vec<Site> = found
            .into_iter()
            .map(|(dir, (framework, marker))| build_site(root, config, dir, framework, marker))
            .collect();
        sites.sort_by_key(|s| {
            std::cmp::Reverse(s.root.matches('/').count() + usize::from(!s.root.is_empty()))
        });
        Sites { sites }
    }

    /// Sites as a scan reported them (deepest root first).
    pub fn from_list(sites: Vec<Site>) -> Sites {
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

    /// Whether the site `path` belongs to serves it by convention.
    pub fn serves_by_convention(&self, path: &str) -> bool {
        self.site_of(path).serves_by_convention(path)
    }
}

/// The config file of a site found through `package.json` only.
fn find_config(root: &Tree, dir: &str, framework: Framework) -> Option<String> {
    let (folder, prefix) = match framework {
        Framework::VitePress => (repo_path::join(dir, ".vitepress"), "config."),
        Framework::Next => (dir.to_owned(), "next.config."),
        Framework::Astro => (dir.to_owned(), "astro.config."),
        Framework::Docusaurus => (dir.to_owned(), "docusaurus.config."),
        Framework::Gatsby => (dir.to_owned(), "gatsby-config."),
        Framework::Vite => (dir.to_owned(), "vite.config."),
        Framework::SvelteKit => (dir.to_owned(), "svelte.config."),
        Framework::Nuxt => (dir.to_owned(), "nuxt.config."),
        _ => return None,
    };
    let mut names: Vec<String> = root
        .list_dir(&folder)
        .into_iter()
        .filter(|n| n.starts_with(prefix) && super::Syntax::of(n) == Some(super::Syntax::Script))
        .collect();
    names.sort();
    names.first().map(|n| repo_path::join(&folder, n))
}

/// A file of the tree as text (`None` when missing or not UTF-8).
fn read_text(tree: &Tree, file: &str) -> Option<String> {
    tree.read(file)
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

fn read_config(root: &Tree, file: &str) -> ConfigValues {
    let text = read_text(root, file).unwrap_or_default();
    match repo_path::extension(file).as_deref() {
        Some("toml" | "yaml" | "yml") => ConfigValues::read_flat(file, &text),
        Some("json") => ConfigValues::default(),
        _ => ConfigValues::read_script(file, &text),
    }
}

/// `/docs/` from `docs`, `/docs`, `docs/`; `/` from `""` or `/`.
fn normalize_base(value: &str) -> String {
    let trimmed = value.trim().trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// The path part of an absolute URL (`https://x.org/blog/` → `/blog/`).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

/// A folder a config names relative to `base` (`./public`, `src/`, `.`),
/// repo-relative; one that would leave the repository stays at `base`.
fn folder_in(base: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches("./").trim_end_matches('/');
    if rel.is_empty() || rel == "." {
        base.to_owned()
    } else {
        repo_path::resolve(base, rel).unwrap_or_else(|| base.to_owned())
    }
}

fn build_site(
    root: &Tree,
    config: &Config,
    dir: String,
    framework: Framework,
    marker: Option<String>,
) -> Site {
    let join = |rel: &str| folder_in(&dir, rel);
    let config_file = marker.or_else(|| find_config(root, &dir, framework));
    // A package that depends on VitePress is a site only where `.vitepress/` is.
    let framework = if framework == Framework::VitePress && config_file.is_none() {
        Framework::Unknown
    } else {
        framework
    };
    let values = config_file
        .as_deref()
        .map(|file| read_config(root, file))
        .unwrap_or_default();
    let (base_key, origin_key, static_key) = framework.keys();
    let get = |key: &str| (!key.is_empty()).then(|| values.get(key)).flatten();

    // Where content lives: VitePress, Astro and Nuxt `srcDir` (Nuxt 4 takes
    // `app/` when there is one, Nuxt 3 the root).
    let src_dir = match framework {
        Framework::Nuxt => Some(match get("srcDir") {
            Some((value, from)) => Sourced::new(join(value), from),
            None if root.is_dir(&join("app")) => Sourced::new(join("app"), "default"),
            None => Sourced::new(dir.clone(), "default"),
        }),
        Framework::VitePress | Framework::Astro => Some(match get("srcDir") {
            Some((value, from)) => Sourced::new(join(value), from),
            None => Sourced::new(
                join(if framework == Framework::Astro {
                    "src"
                } else {
                    ""
                }),
                "default",
            ),
        }),
        _ => None,
    };

    let mut base_path = match get(base_key) {
        Some((value, from)) => Sourced::new(normalize_base(value), from),
        None => Sourced::new("/".to_owned(), "default"),
    };

    let mut origins: Vec<Sourced<String>> = Vec::new();
    if let Some((url, from)) = get(origin_key)
        && (url.starts_with("https://") || url.starts_with("http://"))
    {
        let url = url.trim_end_matches('/');
        if framework == Framework::Hugo {
            // Hugo's baseURL carries the base path itself.
            base_path = Sourced::new(normalize_base(url_path(url)), from.clone());
            origins.push(Sourced::new(url.to_owned(), from));
        } else {
            let with_base = format!("{url}{}", base_path.value.trim_end_matches('/'));
            origins.push(Sourced::new(with_base, from));
        }
    }
    for url in &config.site_urls {
        let from = config
            .sources
            .get(&format!("site_urls:{url}"))
            .cloned()
            .unwrap_or_else(|| "assets.toml".into());
        origins.push(Sourced::new(url.clone(), from));
    }
    origins.sort_by(|a, b| a.value.cmp(&b.value));
    origins.dedup_by(|a, b| a.value == b.value);

    // Static folders: the framework's setting, or its default.
    let static_base = match (framework, &src_dir) {
        (Framework::VitePress, Some(src)) => src.value.clone(),
        _ => match (framework, get("root")) {
            (Framework::Vite, Some((root_dir, _))) => join(root_dir),
            _ => dir.clone(),
        },
    };
    let under = |rel: &str| folder_in(&static_base, rel);
    let configured: Vec<(&str, String)> = if static_key.is_empty() {
        Vec::new()
    } else {
        values.all(static_key)
    };
    let mut static_dirs: Vec<Sourced<String>> = if configured.is_empty() {
        vec![Sourced::new(
            under(framework.default_static_dir()),
            "default",
        )]
    } else {
        configured
            .into_iter()
            .map(|(value, from)| Sourced::new(under(value), from))
            .collect()
    };
    // `[urls]` in assets.toml replace the root site's static folders.
    let urls_configured = dir.is_empty() && !config.urls.is_empty();
    let mut url_map: Vec<(String, String)> = if urls_configured {
        static_dirs = config
            .urls
            .iter()
            .filter(|(prefix, _)| prefix.as_str() == "/")
            .map(|(prefix, folder)| {
                let from = config.sources.get(&format!("urls:{prefix}")).cloned();
                Sourced::new(folder.clone(), from.unwrap_or_else(|| "assets.toml".into()))
            })
            .collect();
        config
            .urls
            .iter()
            .map(|(p, d)| (p.clone(), d.clone()))
            .collect()
    } else {
        static_dirs
            .iter()
            .map(|d| ("/".to_owned(), d.value.clone()))
            .collect()
    };
    url_map.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    // Unknown sites have no static-folder setting: only `[urls]` can name one.
    let serves_root = framework == Framework::Unknown
        && !urls_configured
        && static_dirs.iter().all(|d| !root.is_dir(&d.value));

    let markdown = match (framework, get("markdown.format")) {
        (Framework::Docusaurus, Some(("md" | "detect", _))) => MarkdownMode::CommonMark,
        (Framework::Docusaurus, _) => MarkdownMode::Mdx,
        _ => MarkdownMode::CommonMark,
    };

    let app_dir = (framework == Framework::Next)
        .then(|| {
            [join("app"), join("src/app")]
                .into_iter()
                .find(|d| root.is_dir(d))
        })
        .flatten();

    let (tsconfig_aliases, tsconfig_base) = tsconfig_aliases(root, &dir);
    let mut aliases: Vec<Alias> = tsconfig_aliases;
    let src = join("src");
    let src_or_root = match (&src_dir, framework) {
        (Some(src_dir), Framework::Nuxt) => src_dir.value.clone(),
        _ if root.is_dir(&src) => src,
        _ => dir.clone(),
    };
    for (prefix, target) in [
        ("@site/", dir.clone()),
        ("~~/", dir.clone()),
        ("@@/", dir.clone()),
        ("~/", src_or_root.clone()),
        ("@/", src_or_root),
    ] {
        let applies = match prefix {
            "@site/" => framework == Framework::Docusaurus,
            "~~/" | "@@/" => framework == Framework::Nuxt,
            _ => true,
        };
        if !applies {
            continue;
        }
        if !aliases.iter().any(|a| a.prefix == prefix) {
            aliases.push(Alias {
                prefix: prefix.to_owned(),
                dir: target,
                from: "default".into(),
            });
        }
    }
    if framework == Framework::SvelteKit {
        let lib = match get("kit.files.lib") {
            Some((value, from)) => (join(value), from),
            None => (join("src/lib"), "default".to_owned()),
        };
        let configured = values
            .entries("kit.alias")
            .into_iter()
            .map(|(key, value, from)| {
                (
                    format!("{}/", key.trim_end_matches("/*")),
                    join(value.trim_end_matches("/*")),
                    from,
                )
            });
        for (prefix, dir, from) in
            std::iter::once(("$lib/".to_owned(), lib.0, lib.1)).chain(configured)
        {
            aliases.retain(|a| a.prefix != prefix);
            aliases.push(Alias { prefix, dir, from });
        }
    }
    for (prefix, target) in &config.aliases {
        aliases.retain(|a| &a.prefix != prefix);
        aliases.push(Alias {
            prefix: prefix.clone(),
            dir: target.clone(),
            from: config
                .sources
                .get(&format!("aliases:{prefix}"))
                .cloned()
                .unwrap_or_else(|| "assets.toml".into()),
        });
    }
    aliases.sort_by_key(|a| std::cmp::Reverse(a.prefix.len()));

    Site {
        root: dir,
        framework,
        config: config_file,
        static_dirs,
        base_path,
        src_dir,
        origins,
        aliases,
        tsconfig_base,
        markdown,
        app_dir,
        serves_root,
        url_map,
    }
}

/// `paths` and `baseUrl` from the site's tsconfig.json or jsconfig.json (JSONC),
/// following a local `extends` once; a package `extends` is ignored.
fn tsconfig_aliases(root: &Tree, dir: &str) -> (Vec<Alias>, Option<String>) {
    for name in ["tsconfig.json", "jsconfig.json"] {
        let rel = repo_path::join(dir, name);
        let Some(options) = read_compiler_options(root, &rel, 0) else {
            continue;
        };
        let config_dir = repo_path::parent(&rel).to_owned();
        let base = options
            .get("baseUrl")
            .and_then(|b| b.as_str())
            .and_then(|b| repo_path::resolve(&config_dir, b));
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
                if let Some(target_dir) = repo_path::resolve(&from, target) {
                    aliases.push(Alias {
                        prefix: prefix.to_owned(),
                        dir: target_dir,
                        from: rel.clone(),
                    });
                }
            }
        }
        return (aliases, base);
    }
    (Vec::new(), None)
}

fn read_compiler_options(
    root: &Tree,
    rel: &str,
    depth: usize,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let text = read_text(root, rel)?;
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
        let parent = repo_path::resolve(repo_path::parent(rel), extends);
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
        assert_eq!(
            repo_path::resolve("docs", "./src").as_deref(),
            Some("docs/src")
        );
        assert_eq!(repo_path::resolve("docs", "..").as_deref(), Some(""));
        assert_eq!(repo_path::resolve("", ".."), None);
    }

    #[test]
    fn markers_name_frameworks() {
        assert_eq!(
            Framework::from_marker("next.config.mjs"),
            Some(Framework::Next)
        );
        assert_eq!(
            Framework::from_marker("docs/.vitepress/config.mts"),
            Some(Framework::VitePress)
        );
        assert_eq!(Framework::from_marker("src/config.ts"), None);
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

    #[test]
    fn svelte_configs_say_whether_a_site_is_sveltekit() {
        let svelte = Framework::from_marker("svelte.config.js").unwrap();
        // A plain Svelte app's config: its site is the Vite one.
        assert_eq!(
            svelte.refine("export default { preprocess: vitePreprocess() }"),
            None
        );
        assert_eq!(
            svelte.refine("import adapter from '@sveltejs/adapter-auto';\nexport default { kit: { adapter: adapter() } };"),
            Some(Framework::SvelteKit)
        );
        let vite = Framework::from_marker("vite.config.ts").unwrap();
        assert_eq!(
            vite.refine("import { sveltekit } from '@sveltejs/kit/vite';"),
            Some(Framework::SvelteKit)
        );
        assert_eq!(
            vite.refine("import react from '@vitejs/plugin-react';"),
            Some(Framework::Vite)
        );
        assert_eq!(
            Framework::from_package_json(
                r#"{"devDependencies": {"@sveltejs/kit": "2", "vite": "7"}}"#
            ),
            Some(Framework::SvelteKit)
        );
    }
}
