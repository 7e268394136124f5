//! Where a written image is served and how a page uses it: the site URL of
//! the file for each site that serves it (base path applied) and ready
//! snippets for Markdown/MDX and JSX, with alt text derived from the prompt.
//! What an agent needs right after `generate`, `edit` or `import`.

use serde::Serialize;

use crate::repo_path;
use crate::scan::site::{Framework, Sites, is_marker};
use crate::scan::tree::Tree;
use crate::workspace::Workspace;

/// How one written image is used from a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Placement {
    /// The image, repo-relative.
    pub path: String,
    /// The site (its root, `""` for the repository root) that serves it.
    pub site: String,
    /// The URL path the site serves it at (`/docs/img/x.png`).
    pub url: String,
    /// `![alt](url)` for Markdown and MDX (without the base path where the
    /// framework adds it to Markdown links: Docusaurus, VitePress).
    pub markdown: String,
    /// `<img src="url" alt="alt" />` for JSX and HTML.
    pub jsx: String,
}

/// Alt text from a prompt: its first sentence, at most 125 characters (what
/// screen readers handle well), capitalised, without a trailing full stop.
pub fn alt_text(prompt: &str) -> String {
    let first = prompt
        .split_terminator(['.', '\n', '!', '?'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let mut alt: String = first.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.chars().count() > 125 {
        let cut: String = alt.chars().take(125).collect();
        alt = match cut.rfind(' ') {
            Some(space) if space > 40 => cut[..space].to_owned(),
            _ => cut,
        };
    }
    let mut chars = alt.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The placements of `images` (repo-relative path and alt text): one per
/// site that serves each. Only the sites around the images are looked for,
/// so this costs a few directory listings, not a scan.
pub fn placements(ws: &Workspace, images: &[(String, String)]) -> Vec<Placement> {
    let root = ws.root();
    let mut markers: Vec<String> = Vec::new();
    // Images of one batch share their folders: each is listed once.
    let mut listed_dirs: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (path, _) in images {
        let mut dir = repo_path::parent(path);
        loop {
            if !listed_dirs.insert(dir.to_owned()) {
                // This folder, and so every folder above it, was listed already.
                break;
            }
            for listed in [dir.to_owned(), repo_path::join(dir, ".vitepress")] {
                let Ok(entries) = std::fs::read_dir(ws.abs(&listed)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let marker = repo_path::join(&listed, &name);
                    if is_marker(&marker) {
                        markers.push(marker);
                    }
                }
            }
            if dir.is_empty() {
                break;
            }
            dir = repo_path::parent(dir);
        }
    }
    markers.sort();
    let sites = Sites::discover(&Tree::work(root), &ws.config, &markers);
    let mut placements = Vec::new();
    for (path, alt) in images {
        for site in sites.all() {
            let served = site.url_map.iter().find_map(|(prefix, dir)| {
                let rel = path.strip_prefix(dir.as_str())?.strip_prefix('/')?;
                Some(format!("{}/{rel}", prefix.trim_end_matches('/')))
            });
            if let Some(within) = served {
                let url = format!("{}{within}", site.base_prefix());
                // Docusaurus and VitePress apply the base path to Markdown
                // image links themselves; elsewhere the link carries it.
                let markdown_url = match site.framework {
                    Framework::Docusaurus | Framework::VitePress => within,
                    _ => url.clone(),
                };
                let quoted = alt.replace('"', "&quot;");
                placements.push(Placement {
                    path: path.clone(),
                    site: site.root.clone(),
                    markdown: format!("![{}]({markdown_url})", alt.replace(['[', ']'], "")),
                    jsx: format!("<img src=\"{url}\" alt=\"{quoted}\" />"),
                    url,
                });
            }
        }
    }
    placements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_is_the_prompts_first_sentence_capitalised() {
        assert_eq!(
            alt_text("a paper boat on a pond. Soft light, 35mm"),
            "A paper boat on a pond"
        );
        assert_eq!(alt_text("  "), "");
        let long = "word ".repeat(60);
        assert!(alt_text(&long).chars().count() <= 125);
        assert_eq!(alt_text("élan vital"), "Élan vital");
    }
}
