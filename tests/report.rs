//! `assetrail report --html`: the audit page, opened in a real headless
//! Chromium and judged by what a person sees there.

#[path = "common/browser.rs"]
mod browser;
mod common;
#[path = "common/openai_server.rs"]
mod openai_server;

use common::{Repo, Run};
use openai_server::Server;
use serde_json::{Value, json};

/// A repository with an edit chain made over the loopback API, offline
/// images of two kinds, one page that uses an image, and the audit page.
fn audited_repo(server: &Server) -> Repo {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    let api = |args: &[&str]| -> Run {
        let mut cmd = repo.command();
        cmd.env("OPENAI_BASE_URL", &server.url)
            .env("OPENAI_API_KEY", "sk-test-report")
            .args(args);
        cmd.output().unwrap().into()
    };
    api(&[
        "generate",
        "--route",
        "images",
        "--prompt",
        "A harbour at dawn",
        "--out",
        "public/images/harbour.png",
    ])
    .success();
    api(&[
        "edit",
        "--input",
        "public/images/harbour.png",
        "--prompt",
        "Add a red boat",
        "--out",
        "public/images/harbour-boat.png",
    ])
    .success();
    repo.run(&["generate", "--prompt", "Settings icon", "--kind", "ui"])
        .success();
    repo.run(&["generate", "--prompt", "Launch cover", "--kind", "cover"])
        .success();
    repo.write(
        "content/post.md",
        "# Launch\n\n![A red boat](/images/harbour-boat.png)\n",
    );
    repo.run(&["report", "--html", "out/report.html"]).success();
    repo
}

#[test]
fn the_report_shows_every_asset_filters_and_lineage_in_a_browser() {
    let server = Server::start();
    let repo = audited_repo(&server);
    let page = repo.path().join("out/report.html");
    let html = String::from_utf8(repo.read("out/report.html")).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must not fetch anything"
    );
    let Some(browser) = browser::start() else {
        return;
    };
    browser.resize(1280, 4000);
    browser.open(&page);

    // A card per asset, each visible, with its path.
    let manifest_paths: Vec<String> = repo
        .entries()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    let mut shown = visible_cards(&browser);
    shown.sort();
    let mut expected = manifest_paths.clone();
    expected.sort();
    assert_eq!(shown, expected);
    assert_eq!(
        browser.eval(
            "return performance.getEntriesByType('resource').length",
            json!([])
        ),
        json!(0),
        "the page loaded something from outside itself"
    );

    // Every thumbnail decodes to a real picture.
    let sizes = browser.wait_for(
        "const imgs = [...document.querySelectorAll('.card img')];
         if (!imgs.every(i => i.complete)) return false;
         return imgs.map(i => [i.closest('.card').dataset.path, i.naturalWidth, i.naturalHeight]);",
        json!([]),
    );
    let sizes = sizes.as_array().unwrap();
    assert_eq!(sizes.len(), manifest_paths.len(), "{sizes:?}");
    for size in sizes {
        assert!(
            size[1].as_u64().unwrap() > 0 && size[1].as_u64().unwrap() <= 128,
            "{size}"
        );
        assert!(size[2].as_u64().unwrap() > 0, "{size}");
    }

    // Choosing a route in the filter hides the other routes' cards.
    browser.click("select[data-filter=route] option[value=local]");
    let local: Vec<String> = repo
        .entries()
        .iter()
        .filter(|e| e["route"].as_str() == Some("local"))
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(local.len(), 2);
    let mut shown = visible_cards(&browser);
    shown.sort();
    assert_eq!(shown, local);
    assert_eq!(
        browser.eval(
            "return document.getElementById('shown').textContent",
            json!([])
        ),
        json!("2 of 4 shown")
    );
    assert_eq!(
        browser.eval("return location.hash", json!([])),
        json!("#route=local")
    );
    browser.click("select[data-filter=route] option[value='']");
    browser.click("select[data-filter=findings] option[value=none]");
    assert_eq!(visible_cards(&browser), ["public/images/harbour-boat.png"]);
    browser.click("select[data-filter=findings] option[value='']");
    assert_eq!(visible_cards(&browser).len(), 4);

    // The edited image's lineage arrow points at the card of its input.
    let link = browser.eval(
        "const card = document.querySelector('.card[data-path=\"public/images/harbour-boat.png\"]');
         const a = card.querySelector('.lineage-parent a.arrow');
         const target = document.querySelector(a.getAttribute('href'));
         return [a.textContent, target.dataset.path];",
        json!([]),
    );
    assert_eq!(link[1], "public/images/harbour.png", "{link}");
    assert!(link[0].as_str().unwrap().starts_with('←'), "{link}");
    browser.resize(1280, 700);
    browser.click(".card[data-path=\"public/images/harbour-boat.png\"] .lineage-parent a.arrow");
    let landed = browser.wait_for(
        "const card = document.querySelector(':target');
         if (!card) return false;
         const r = card.getBoundingClientRect();
         return [card.dataset.path, r.top >= 0 && r.top < innerHeight];",
        json!([]),
    );
    assert_eq!(landed, json!(["public/images/harbour.png", true]));
    let child = browser.eval(
        "return document.querySelector('.card[data-path=\"public/images/harbour.png\"] .lineage-child a.arrow').getAttribute('href')",
        json!([]),
    );
    let boat = repo.entry("public/images/harbour-boat.png");
    assert_eq!(
        child,
        json!(format!("#asset-{}", boat["id"].as_str().unwrap()))
    );

    // Findings are on the cards they concern; the used image has none.
    let findings = browser.eval(
        "return [...document.querySelectorAll('.card.has-findings')].map(c => c.dataset.path).sort()",
        json!([]),
    );
    assert_eq!(findings.as_array().unwrap().len(), 3, "{findings}");
    assert!(!findings.to_string().contains("harbour-boat"));

    // Readable at phone width: nothing wider than the screen.
    browser.resize(390, 844);
    let overflow = browser.eval(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        json!([]),
    );
    assert_eq!(overflow, json!(0), "the page scrolls sideways on a phone");

    let shot = browser.screenshot();
    assert!(shot.starts_with(b"\x89PNG"));
    let artifact = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-phone.png");
    std::fs::write(&artifact, shot).unwrap();
    eprintln!("screenshot: {}", artifact.display());
}

/// The paths of the cards a person can see (displayed and not hidden).
fn visible_cards(browser: &browser::Browser) -> Vec<String> {
    let value: Value = browser.eval(
        "return [...document.querySelectorAll('#cards > .card')]
           .filter(c => c.getClientRects().length > 0 && getComputedStyle(c).display !== 'none')
           .map(c => c.dataset.path)",
        json!([]),
    );
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_report_prices_each_credit_source_in_its_own_unit() {
    let server = Server::start();
    let repo = audited_repo(&server);
    let html = String::from_utf8(repo.read("out/report.html")).unwrap();
    let spend =
        &html[html.find("Spend per credit source").unwrap()..html.find("</table>").unwrap()];
    assert!(spend.contains("openai-api"), "{spend}");
    assert!(spend.contains("no charge"), "{spend}");
    assert!(spend.contains('$'), "{spend}");
    assert!(!spend.to_lowercase().contains("total"), "{spend}");
    // Every value is escaped: a prompt with markup stays text.
    repo.run(&[
        "generate",
        "--prompt",
        "<script>alert(1)</script> & more",
        "--out",
        "public/images/tricky.png",
    ])
    .success();
    let run = repo.run(&["report", "--html", "out/report.html", "--format", "json"]);
    run.success();
    assert_eq!(run.json()["assets"], 5);
    let html = String::from_utf8(repo.read("out/report.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
}
