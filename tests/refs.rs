//! `assetrail refs` on the example sites, compared with checked-in expectations
//! under `fixtures/expected/`. Run with `ASSETRAIL_BLESS=1` to rewrite them
//! after a deliberate change (and review the diff).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::Repo;

fn site_repo(name: &str) -> Repo {
    Repo::fixture(name)
}

fn refs_json(repo: &Repo, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["refs", "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.run(&args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()
}

fn check_fixture(name: &str) -> serde_json::Value {
    let repo = site_repo(name);
    let json = refs_json(&repo, &[]);
    let references = json["references"].clone();
    let expected_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/expected/{name}.refs.json"));
    if std::env::var_os("ASSETRAIL_BLESS").is_some() {
        std::fs::create_dir_all(expected_path.parent().unwrap()).unwrap();
        std::fs::write(
            &expected_path,
            serde_json::to_string_pretty(&references).unwrap() + "\n",
        )
        .unwrap();
    }
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&expected_path).unwrap()).unwrap();
    if references != expected {
        let got = serde_json::to_string_pretty(&references).unwrap();
        panic!(
            "{name}: references differ from {}\n--- got ---\n{got}",
            expected_path.display()
        );
    }
    assert_eq!(json["problems"], serde_json::json!([]), "{name}");
    references
}

#[test]
fn nextjs_site() {
    let refs = check_fixture("site");
    assert!(
        refs.as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "manifest")
    );
}

#[test]
fn docusaurus_site() {
    let refs = check_fixture("docusaurus");
    // An `mdx-code-block` fence is MDX that Docusaurus renders; a `jsx` one is code.
    assert_eq!(reference(&refs, "/img/themed-light.png")["state"], "ok");
    assert_eq!(reference(&refs, "/img/themed-dark.png")["state"], "ok");
    assert_eq!(
        reference(&refs, "/img/sample-only.png")["state"],
        "code-only"
    );
}

#[test]
fn astro_site() {
    check_fixture("astro");
}

#[test]
fn vite_react_app() {
    check_fixture("vite-react");
}

/// The reference written as `raw` among `refs` (a `refs --format json` list).
fn reference<'r>(refs: &'r serde_json::Value, raw: &str) -> &'r serde_json::Value {
    refs.as_array()
        .unwrap()
        .iter()
        .find(|r| r["raw"] == raw)
        .unwrap_or_else(|| panic!("{raw} is read"))
}

/// The broken references of a fixture, as `file:line raw status`.
fn broken(name: &str) -> Vec<String> {
    broken_in(&site_repo(name))
}

fn broken_in(repo: &Repo) -> Vec<String> {
    let json = refs_json(repo, &["--unresolved"]);
    json["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{} {} {}",
                r["path"].as_str().unwrap(),
                r["line"],
                r["raw"].as_str().unwrap(),
                r["state"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn docusaurus_with_base_url_versions_and_translations() {
    check_fixture("docusaurus-versioned");
    // Exactly the genuinely broken ones: a JSX src without the base path, a
    // missing image, a missing translated image. Not README.md's repository-
    // root paths, not the base-path URL, not the HTML comment.
    assert_eq!(
        broken("docusaurus-versioned"),
        [
            "website/docs/intro.md:12 /img/logo.svg outside-base",
            "website/docs/intro.md:18 /img/missing.png missing",
            "website/i18n/fr/docusaurus-plugin-content-docs/current/intro.md:5 ./manquante.png missing",
        ]
    );
}

#[test]
fn vitepress_src_dir_base_and_vue_components() {
    let refs = check_fixture("vitepress");
    assert_eq!(
        broken("vitepress"),
        ["docs/src/guide/setup.md:5 ./img/not-there.png missing"]
    );
    // Paths built with `+` keep their images alive as a pattern.
    assert!(
        refs.as_array()
            .unwrap()
            .iter()
            .any(|r| r["raw"] == "/team/*-photo.png"
                && r["matches"].as_array().is_some_and(|m| m.len() == 2))
    );
}

#[test]
fn sveltekit_static_aliases_and_svelte_components() {
    let refs = check_fixture("sveltekit");
    // Not the commented-out image, not the text in braces; the `$assets`
    // alias from svelte.config.js and the app template's placeholder resolve.
    assert_eq!(
        broken("sveltekit"),
        [
            "src/routes/+page.svelte:16 /images/missing.png missing",
            "src/routes/about/+page.svelte:11 /images/gone.png missing",
        ]
    );
    let find = |raw: &str| reference(&refs, raw);
    assert_eq!(
        find("%sveltekit.assets%/favicon.png")["target"],
        "static/favicon.png"
    );
    assert_eq!(find("$assets/photo.png")["target"], "src/assets/photo.png");
    assert_eq!(
        find("$lib/images/welcome.png")["target"],
        "src/lib/images/welcome.png"
    );
    assert_eq!(find("/team/*.png")["matches"].as_array().unwrap().len(), 2);
    assert_eq!(find("/icons.svg#github")["target"], "static/icons.svg");
}

#[test]
fn nuxt_source_folder_aliases_and_public() {
    let refs = check_fixture("nuxt");
    // `~/` and `@/` are Nuxt 4's `app/`, `~~/` the root: only the two
    // genuinely missing images are broken.
    assert_eq!(
        broken("nuxt"),
        [
            "app/app.vue:9 @/assets/missing.png missing",
            "content/index.md:9 /images/nope.png missing",
        ]
    );
    let target = |raw: &str| &reference(&refs, raw)["target"];
    assert_eq!(target("~/assets/logo.png"), "app/assets/logo.png");
    assert_eq!(target("~/assets/bg.png"), "app/assets/bg.png");
    assert_eq!(target("~~/shared/diagram.png"), "shared/diagram.png");
    assert_eq!(target("/images/hero.png"), "public/images/hero.png");
}

#[test]
fn jekyll_liquid_and_the_base_url() {
    let refs = check_fixture("jekyll");
    // Liquid outputs and include parameters are read (not what `{% raw %}`
    // holds); Markdown and HTML get no `baseurl` from Jekyll.
    assert_eq!(
        broken("jekyll"),
        [
            "_posts/2026-11-20-welcome.markdown:11 /assets/images/missing.png missing",
            "about.markdown:9 /assets/images/plain.png outside-base",
            "about.markdown:11 /assets/images/cover.png outside-base",
        ]
    );
    for raw in [
        "/assets/images/diagram.svg",
        "/assets/images/team.jpg",
        "/favicon.png",
    ] {
        assert_eq!(reference(&refs, raw)["state"], "ok", "{raw}");
    }
    assert_eq!(
        reference(&refs, "/assets/images/example.png")["state"],
        "code-only"
    );
}

#[test]
fn starlight_i18n_comments_and_prose() {
    check_fixture("starlight");
    // Not the shell command in a string attribute, not the MDX comment.
    assert_eq!(
        broken("starlight"),
        ["src/content/docs/guides/start.mdx:6 ./nope.png missing"]
    );
}

#[test]
fn next_app_router_conventions_and_github_readme() {
    check_fixture("next-app");
    // GitHub resolves `/team/a.png` in a README from the repository root.
    assert_eq!(broken("next-app"), ["README.md:5 /team/a.png missing"]);
}

#[test]
fn hugo_static_and_page_bundles() {
    check_fixture("hugo");
    assert_eq!(
        broken("hugo"),
        [
            "content/about.md:3 /images/missing.png missing",
            "content/posts/trip/index.md:24 missing-figure.png missing",
            "layouts/partials/header.html:3 images/gone.png missing",
        ]
    );
}

/// The files a `refs --format json` output found references in.
fn files_with_references(json: &serde_json::Value) -> BTreeSet<&str> {
    json["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect()
}

#[test]
fn every_kind_and_status_appears_in_some_fixture() {
    let mut kinds = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for name in [
        "site",
        "docusaurus",
        "astro",
        "vite-react",
        "docusaurus-versioned",
        "vitepress",
        "starlight",
        "next-app",
        "hugo",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("fixtures/expected/{name}.refs.json"));
        let refs: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for r in refs.as_array().unwrap() {
            kinds.insert(r["kind"].as_str().unwrap().to_owned());
            statuses.insert(r["state"].as_str().unwrap().to_owned());
        }
    }
    let all_kinds = [
        "md-image",
        "md-definition",
        "html-attr",
        "jsx-attr",
        "esm-import",
        "require",
        "new-url",
        "glob",
        "base-url",
        "css-url",
        "frontmatter",
        "config",
        "data",
        "manifest",
    ];
    for kind in all_kinds {
        assert!(kinds.contains(kind), "no fixture has a {kind} reference");
    }
    for status in [
        "ok",
        "missing",
        "case-mismatch",
        "outside-base",
        "external",
        "code-only",
        "pattern",
    ] {
        assert!(
            statuses.contains(status),
            "no fixture has a {status} reference"
        );
    }
}

#[test]
fn negatives_produce_no_reference() {
    let repo = site_repo("vite-react");
    let json = refs_json(&repo, &[]);
    let files = files_with_references(&json);
    assert!(
        !files.contains("scripts/optimize-images.ts"),
        "extension lists are not references"
    );
    assert!(
        !files.contains("src/__tests__/App.test.tsx"),
        "test files are excluded"
    );
    let raws: Vec<&str> = json["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["raw"].as_str().unwrap())
        .collect();
    assert!(
        !raws.iter().any(|r| r.contains("logo.png")),
        "prose in a meta description is not a reference"
    );
}

#[test]
fn unresolved_lists_only_broken_references_and_fails() {
    let repo = site_repo("vite-react");
    let run = repo.run(&["refs", "--unresolved"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("src/"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].contains("case-mismatch") && lines[0].contains("on disk: src/assets/photo.jpg")
    );
    assert!(lines[1].contains("missing") && lines[1].contains("/missing.png"));

    let astro = site_repo("docusaurus");
    astro.write("data/users.json", r#"[{"image": "/img/users/acme.png"}]"#);
    let run = astro.run(&["refs", "--unresolved"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn paths_limit_the_scan() {
    let repo = site_repo("site");
    let json = refs_json(&repo, &["content/posts"]);
    let refs = json["references"].as_array().unwrap();
    assert!(!refs.is_empty());
    assert!(
        refs.iter()
            .all(|r| r["path"].as_str().unwrap().starts_with("content/posts/"))
    );
}

#[test]
fn a_site_without_public_serves_its_root() {
    // Plain HTML or GitHub Pages: no framework, no public/ folder.
    let repo = Repo::empty();
    repo.write("img/logo.png", common::png(1));
    repo.write(
        "index.html",
        "<img src=\"/img/logo.png\"><img src=\"/img/gone.png\">",
    );
    repo.write("posts/first.md", "![logo](/img/logo.png)\n");
    repo.run(&["init"]).success();
    assert_eq!(broken_in(&repo), ["index.html:1 /img/gone.png missing"]);
    let sites = repo.run(&["sites", "--format", "json"]).json();
    assert_eq!(sites["sites"][0]["serves_root"], true, "{sites}");
    // Once there is a public/ folder, it alone is served.
    repo.write("public/robots.txt", "");
    assert_eq!(
        broken_in(&repo),
        [
            "index.html:1 /img/logo.png missing",
            "index.html:1 /img/gone.png missing",
            "posts/first.md:1 /img/logo.png missing",
        ]
    );
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_skipped() {
    let repo = site_repo("vite-react");
    repo.write(
        "src/Broken.tsx",
        "export const A = () => <img src=\"/og.png\" \n\nconst = ;\n",
    );
    repo.write(
        "content/bad.mdx",
        "# Title\n\n<Figure src=\"/og.png\"\n\nprose with a < sign {\n",
    );
    let json = refs_json(&repo, &[]);
    let problems = json["problems"].as_array().unwrap();
    let files: Vec<&str> = problems
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["content/bad.mdx", "src/Broken.tsx"], "{problems:?}");
    for p in problems {
        assert!(p["line"].as_u64().unwrap() >= 1 && p["column"].as_u64().unwrap() >= 1);
        assert!(!p["message"].as_str().unwrap().is_empty());
    }
    // The rest of the scan went on.
    assert!(
        json["references"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == "src/App.tsx")
    );
    let text = repo.run(&["refs"]);
    assert!(text.stdout.contains("src/Broken.tsx:"), "{}", text.stdout);
}

#[test]
fn gitignored_and_excluded_files_are_not_scanned() {
    let repo = site_repo("vite-react");
    repo.write(".gitignore", "generated/\n");
    repo.write("generated/page.html", "<img src=\"/nowhere.png\">");
    repo.write("node_modules/pkg/index.js", "import x from './x.png'");
    let json = refs_json(&repo, &[]);
    let files = files_with_references(&json);
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("generated/") || f.starts_with("node_modules/")),
        "{files:?}"
    );
}

#[test]
fn the_cache_skips_unchanged_files_and_notices_changes() {
    let repo = site_repo("site");
    let first = refs_json(&repo, &[]);
    assert_eq!(first["stats"]["cached"], 0);
    let files = first["stats"]["files"].as_u64().unwrap();
    let second = refs_json(&repo, &[]);
    assert_eq!(second["stats"]["cached"].as_u64().unwrap(), files);
    assert_eq!(second["stats"]["parsed"], 0);
    assert_eq!(second["references"], first["references"]);

    repo.write(
        "content/posts/second-post.mdx",
        "---\ncover: /images/covers/hello-world.png\n---\n",
    );
    let third = refs_json(&repo, &[]);
    assert_eq!(third["stats"]["parsed"], 1);
    let second_post: Vec<&serde_json::Value> = third["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "content/posts/second-post.mdx")
        .collect();
    assert_eq!(second_post.len(), 1);
    assert_eq!(second_post[0]["state"], "ok");
    // A run limited to one folder keeps what the cache knows of the rest.
    repo.write(
        "content/posts/second-post.mdx",
        "---\ncover: /images/covers/hello-world.png\n---\n\nEdited.\n",
    );
    let scoped = refs_json(&repo, &["content/posts"]);
    assert_eq!(scoped["stats"]["parsed"], 1);
    let whole = refs_json(&repo, &[]);
    assert_eq!(whole["stats"]["parsed"], 0);
    assert_eq!(whole["stats"]["cached"].as_u64().unwrap(), files);
    // The cache lives in the git directory, never in the work tree.
    assert!(repo.path().join(".git/assetrail/refs-cache").is_file());
    assert!(!repo.run(&["status"]).stdout.contains("refs-cache"));
}

#[test]
fn a_file_changed_within_its_clock_tick_is_read_again() {
    let repo = site_repo("site");
    let page = "content/posts/second-post.mdx";
    repo.write(page, "---\ncover: /images/covers/hello-world.png\n---\n");
    let written = repo
        .path()
        .join(page)
        .metadata()
        .unwrap()
        .modified()
        .unwrap();
    let raws = |json: &serde_json::Value| -> Vec<String> {
        json["references"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"] == page)
            .map(|r| r["raw"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        raws(&refs_json(&repo, &[])),
        ["/images/covers/hello-world.png"]
    );
    // Rewritten in place in the same clock tick: same length, inode and time.
    repo.write(page, "---\ncover: /images/covers/hello-wxrld.png\n---\n");
    repo.set_modified(page, written);
    assert_eq!(
        raws(&refs_json(&repo, &[])),
        ["/images/covers/hello-wxrld.png"]
    );
}

/// Moves every recent folder time (and ignore file time, and git's exclude
/// file's and index's) a minute back, as in a tree nobody touched lately: a remembered
/// listing of it is trusted. What changed since the last call still differs.
fn age_tree(dir: &Path) {
    fn age(path: &Path) {
        let now = std::time::SystemTime::now();
        let modified = path.metadata().unwrap().modified().unwrap();
        if now.duration_since(modified).unwrap_or_default().as_secs() < 10 {
            let old = modified - std::time::Duration::from_secs(60);
            std::fs::File::open(path)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
    }
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_name() == ".git" {
            for file in [path.join("info/exclude"), path.join("index")] {
                if file.is_file() {
                    age(&file);
                }
            }
        } else if path.is_dir() {
            age_tree(&path);
        } else if entry.file_name() == ".gitignore" {
            age(&path);
        }
    }
    age(dir);
}

fn paths_referencing(json: &serde_json::Value) -> BTreeSet<String> {
    json["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_remembered_listing_still_sees_new_removed_and_ignored_files() {
    let repo = site_repo("site");
    let page = "content/posts/third-post.mdx";
    age_tree(repo.path());
    let first = refs_json(&repo, &[]);
    assert!(repo.path().join(".git/assetrail/walk-cache").is_file());
    assert_eq!(refs_json(&repo, &[])["references"], first["references"]);
    assert!(!paths_referencing(&first).contains(page));

    // A new page in a folder the listing remembers.
    repo.write(page, "---\ncover: /images/covers/hello-world.png\n---\n");
    age_tree(repo.path());
    assert!(paths_referencing(&refs_json(&repo, &[])).contains(page));
    assert!(paths_referencing(&refs_json(&repo, &[])).contains(page));

    // An ignore rule added in place hides the untracked page.
    repo.write(".gitignore", format!("/{page}\n"));
    age_tree(repo.path());
    assert!(!paths_referencing(&refs_json(&repo, &[])).contains(page));
    repo.write(".gitignore", "# nothing\n");
    age_tree(repo.path());
    assert!(paths_referencing(&refs_json(&repo, &[])).contains(page));

    // A removed page is gone at once.
    std::fs::remove_file(repo.path().join(page)).unwrap();
    assert!(!paths_referencing(&refs_json(&repo, &[])).contains(page));
}

#[test]
fn tracked_files_that_gitignore_matches_stay_scanned_from_a_remembered_listing() {
    let repo = site_repo("site");
    let page = "content/posts/hello-world.mdx";
    repo.git(&["add", "-A"]);
    age_tree(repo.path());
    for _ in 0..2 {
        assert!(paths_referencing(&refs_json(&repo, &[])).contains(page));
    }
    assert!(repo.path().join(".git/assetrail/walk-tracked").is_file());
    // Ignored once tracked: the index is as it was, the listing is not.
    repo.write(".gitignore", format!("/{page}\n"));
    age_tree(repo.path());
    for _ in 0..2 {
        assert!(paths_referencing(&refs_json(&repo, &[])).contains(page));
    }

    // Untracked, the page is ignored; tracked again, it is scanned again.
    repo.git(&["rm", "-q", "--cached", page]);
    age_tree(repo.path());
    for _ in 0..2 {
        assert!(!paths_referencing(&refs_json(&repo, &[])).contains(page));
    }
    repo.git(&["add", "-f", page]);
    age_tree(repo.path());
    for _ in 0..2 {
        assert!(paths_referencing(&refs_json(&repo, &[])).contains(page));
    }
}

#[test]
fn hostile_files_are_reported_never_fatal() {
    let repo = site_repo("site");
    // A tag cut off inside a multi-byte character once panicked the HTML scanner.
    repo.write("content/cut.html", b"<c={png\xc3\xa9".as_slice());
    // Thousands of nested calls, arrays, JSX elements and quotes overflowed the stack.
    let deep_js = format!(
        "const a = {}'/images/covers/hello-world.png'{}",
        "require(".repeat(1_500),
        ")".repeat(1_500)
    );
    repo.write("components/deep.js", deep_js);
    repo.write(
        "components/chain.js",
        format!("const a = {}'/images/team.jpg'", "x ? y : ".repeat(100_000)),
    );
    let deep_mdx = format!(
        "![cover](/images/covers/hello-world.png)\n\n{}x\n",
        "<A>".repeat(3_000)
    );
    repo.write("content/deep.mdx", deep_mdx);
    repo.write(
        "content/quotes.md",
        format!("{}![x](/images/team.jpg)\n", "> ".repeat(5_000)),
    );
    let json = refs_json(&repo, &[]);
    let problems = json["problems"].as_array().unwrap();
    for file in [
        "components/deep.js",
        "components/chain.js",
        "content/deep.mdx",
    ] {
        let problem = problems
            .iter()
            .find(|p| p["path"] == file)
            .unwrap_or_else(|| panic!("{file} is reported: {problems:?}"));
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("nested too deeply"),
            "{problem}"
        );
        assert!(problem["line"].as_u64().unwrap() >= 1);
        // Its reference is still found by the fallback path.
        assert!(
            json["references"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["path"] == file && r["state"] == "ok"),
            "{file} still yields its reference"
        );
    }
}

#[test]
fn problems_keep_their_position_on_cached_runs() {
    let repo = site_repo("site");
    repo.write(
        "content/broken.mdx",
        "# T\n\nprose with a <= b here ![x](/images/team.jpg)\n",
    );
    let first = refs_json(&repo, &[]);
    let second = refs_json(&repo, &[]);
    let problem = |json: &serde_json::Value| {
        json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["path"] == "content/broken.mdx")
            .cloned()
            .expect("the unparsable file is reported")
    };
    assert_eq!(problem(&first)["line"], 3, "{}", problem(&first));
    assert_eq!(problem(&first), problem(&second));
}

#[test]
fn init_detects_and_leaves_resolution_to_detection() {
    for (name, folders) in [
        (
            "docusaurus-versioned",
            vec!["website/static", "website/assets"],
        ),
        ("vitepress", vec!["docs/src/public"]),
        ("starlight", vec!["src/assets", "public"]),
        ("next-app", vec!["public"]),
        ("hugo", vec!["static"]),
    ] {
        let repo = site_repo(name);
        let expected = broken_in(&repo);
        std::fs::remove_file(repo.path().join("assets.toml")).unwrap();
        let run = repo.run(&["init", "--format", "json"]);
        run.success();
        let json = run.json();
        assert_eq!(json["folders"], serde_json::json!(folders), "{name}");
        assert!(!json["detected"].as_array().unwrap().is_empty(), "{name}");
        let written = String::from_utf8(repo.read("assets.toml")).unwrap();
        for placeholder in ["example.com\"]", "\"@/\" = \"src/\"", "\"/\" = \"public\""] {
            assert!(
                !written
                    .lines()
                    .any(|l| !l.starts_with('#') && l.contains(placeholder)),
                "{name}: an active placeholder {placeholder} in:\n{written}"
            );
        }
        // The config init wrote resolves exactly as the hand-written one did.
        assert_eq!(broken_in(&repo), expected, "{name}");
    }
}

#[test]
fn sites_says_where_each_setting_came_from() {
    let repo = site_repo("docusaurus-versioned");
    let run = repo.run(&["sites", "--format", "json"]);
    run.success();
    let json = run.json();
    let site = json["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["root"] == "website")
        .expect("the Docusaurus site");
    assert_eq!(site["framework"], "docusaurus");
    assert_eq!(site["base_path"]["value"], "/docs/");
    assert_eq!(site["base_path"]["from"], "website/docusaurus.config.ts:6");
    assert_eq!(
        site["static_dirs"],
        serde_json::json!([
            {"value": "website/static", "from": "website/docusaurus.config.ts:8"},
            {"value": "website/assets", "from": "website/docusaurus.config.ts:8"},
        ])
    );
    assert_eq!(site["origins"][0]["value"], "https://example.org/docs");
    assert_eq!(site["markdown"], "mdx");
    // Before init, with no assets.toml, the same detection runs.
    std::fs::remove_file(repo.path().join("assets.toml")).unwrap();
    let text = repo.run(&["sites"]);
    text.success();
    assert!(
        text.stdout.contains("website/docusaurus.config.ts:6"),
        "{}",
        text.stdout
    );
}

#[test]
fn what_git_tracks_is_scanned_even_where_gitignore_matches() {
    let repo = site_repo("site");
    repo.write(".gitignore", "generated/\n");
    repo.write("generated/page.md", "![team](/images/team.jpg)\n");
    repo.write(
        "generated/untracked.md",
        "![team](/images/covers/hello-world.png)\n",
    );
    repo.git(&["add", "-f", "generated/page.md"]);
    let json = refs_json(&repo, &[]);
    let files = files_with_references(&json);
    assert!(files.contains("generated/page.md"), "{files:?}");
    assert!(!files.contains("generated/untracked.md"), "{files:?}");
}
