//! Properties of every path assetrail writes: whatever a user, a batch file
//! or a prompt supplies, a path that passes the checks stays inside the
//! repository and inside a managed folder; derived names (free siblings,
//! partial images) stay beside the file they derive from.

mod common;

use assetrail::repo_path;
use assetrail::store;
use assetrail::workspace::Workspace;
use common::Repo;
use proptest::prelude::*;

/// Path-like strings built from the pieces that have escaped path checks elsewhere.
fn raw_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("".to_owned()),
        Just("public".to_owned()),
        Just("images".to_owned()),
        Just("covers".to_owned()),
        Just("a.png".to_owned()),
        Just("C:".to_owned()),
        Just(":".to_owned()),
        Just("~".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("é.webp".to_owned()),
        "[a-z.\\\\:]{1,6}",
    ];
    let separator = prop_oneof![Just("/"), Just("\\"), Just("//")];
    (
        prop_oneof![Just(""), Just("/"), Just("\\"), Just(":/"), Just("C:\\")],
        proptest::collection::vec((piece, separator), 1..7),
    )
        .prop_map(|(lead, parts)| {
            let mut raw = lead.to_owned();
            for (piece, sep) in parts {
                raw.push_str(&piece);
                raw.push_str(sep);
            }
            raw.trim_end_matches(['/', '\\']).to_owned()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_paths_stay_inside_the_repository_and_the_managed_folders(raw in raw_path()) {
        let repo = shared_repo();
        let ws = Workspace::open(Some(repo.path())).unwrap();
        let Ok(path) = ws.user_path(&raw) else { return Ok(()); };
        prop_assert!(!path.is_empty());
        prop_assert!(!repo_path::is_absolute(&path), "{raw:?} -> {path:?}");
        prop_assert!(!path.contains('\\'), "{raw:?} -> {path:?}");
        for part in path.split('/') {
            prop_assert!(!matches!(part, "" | "." | ".."), "{raw:?} -> {path:?}");
        }
        prop_assert!(ws.abs(&path).starts_with(repo.path()));
        if store::check_managed(&ws.config, &path).is_ok() {
            let folder = ws.config.managed_folder_of(&path).unwrap();
            prop_assert!(repo_path::is_within(&path, folder));
            prop_assert!(path != folder, "a managed folder itself is not a file: {path}");
            // A free sibling and partial-image names stay beside the file.
            let sibling = store::free_sibling(repo.path(), &path, &|p| p == path);
            prop_assert_eq!(repo_path::parent(&sibling), repo_path::parent(&path));
            prop_assert!(store::check_managed(&ws.config, &sibling).is_ok());
            let name = repo_path::file_name(&path);
            let partial = repo_path::join(repo_path::parent(&path), &format!("{name}.partial-0.png"));
            prop_assert_eq!(repo_path::parent(&partial), repo_path::parent(&path));
        }
    }

    #[test]
    fn slugs_from_any_prompt_are_one_plain_file_name(prompt in "\\PC{0,80}") {
        let slug = store::slug(&prompt);
        prop_assert!(!slug.is_empty());
        prop_assert!(!slug.contains(['/', '\\', ':', '\0']), "{slug:?}");
        prop_assert!(slug != "." && slug != "..");
        let file = format!("public/images/{slug}.png");
        prop_assert!(repo_path::normalize(&file).is_ok());
    }
}

fn shared_repo() -> &'static Repo {
    static REPO: std::sync::OnceLock<Repo> = std::sync::OnceLock::new();
    REPO.get_or_init(Repo::site)
}
