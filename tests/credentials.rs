//! Content Credentials (C2PA): recorded with the asset, and `check` warns
//! (AR014) when an optimiser strips them or they stop validating. Signed test
//! images are made here, with a throwaway certificate, through the same
//! `c2pa` crate assetrail reads them with (the `c2pa` feature).

mod common;

use common::{Repo, Run};

/// The finding codes `check --format json` reported.
fn codes(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A PNG with a `caBX` chunk (an embedded C2PA manifest store) after IHDR.
fn png_with_store() -> Vec<u8> {
    let png = common::png(40);
    let store = b"jumb-manifest-store-placeholder";
    let mut chunk = Vec::new();
    chunk.extend_from_slice(&(store.len() as u32).to_be_bytes());
    chunk.extend_from_slice(b"caBX");
    chunk.extend_from_slice(store);
    chunk.extend_from_slice(&crc32(&chunk[4..]).to_be_bytes());
    let ihdr_end = 8 + 25;
    [&png[..ihdr_end], &chunk, &png[ihdr_end..]].concat()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The same picture re-encoded, as an image optimiser would write it.
fn reencoded(bytes: &[u8], format: image::ImageFormat) -> Vec<u8> {
    let img = image::load_from_memory(bytes).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    img.to_rgb8().write_to(&mut out, format).unwrap();
    out.into_inner()
}

#[test]
fn an_optimiser_that_strips_credentials_is_caught() {
    let repo = Repo::empty();
    repo.run(&["init"]).success();
    repo.write("public/images/signed.png", png_with_store());
    repo.run(&["adopt", "public/images/signed.png", "--reason", "test"])
        .success();
    let entry = repo.entry("public/images/signed.png");
    assert_eq!(entry["c2pa"]["container"].as_str(), Some("png:caBX"));

    // Re-encoded with the credentials gone: modified, and credentials lost.
    let bytes = repo.read("public/images/signed.png");
    repo.write(
        "public/images/signed.png",
        reencoded(&bytes, image::ImageFormat::Png),
    );
    let run = repo.run(&["check", "--format", "json"]);
    let found = codes(&run);
    assert!(found.contains(&"AR002".to_owned()), "{found:?}");
    assert!(found.contains(&"AR014".to_owned()), "{found:?}");
    assert!(
        run.stdout.contains("no longer carries them"),
        "{}",
        run.stdout
    );

    // The recorded bytes back: nothing to report.
    repo.write("public/images/signed.png", png_with_store());
    let run = repo.run(&["check", "--format", "json"]);
    let found = codes(&run);
    assert!(!found.contains(&"AR014".to_owned()), "{found:?}");
    assert!(!found.contains(&"AR002".to_owned()), "{found:?}");

    let explain = repo.run(&["explain", "AR014"]);
    explain.success();
    assert!(
        explain.stdout.contains("credentials-lost"),
        "{}",
        explain.stdout
    );
}

#[cfg(feature = "c2pa")]
mod signed {
    use super::*;
    use std::io::Cursor;

    const MANIFEST: &str = r#"{
        "claim_generator_info": [{ "name": "assetrail-tests", "version": "1.0" }],
        "assertions": [{
            "label": "c2pa.actions",
            "data": { "actions": [{
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
            }]}
        }]
    }"#;

    /// `bytes` signed with a throwaway certificate chain.
    fn sign(bytes: &[u8], mime: &str) -> Vec<u8> {
        let signer = c2pa::EphemeralSigner::new("assetrail-tests.local").unwrap();
        let mut builder = c2pa::Builder::from_context(c2pa::Context::new())
            .with_definition(MANIFEST)
            .unwrap();
        let mut out = Cursor::new(Vec::new());
        builder
            .sign(&signer, mime, &mut Cursor::new(bytes.to_vec()), &mut out)
            .unwrap();
        out.into_inner()
    }

    fn jpeg() -> Vec<u8> {
        reencoded(&common::png(90), image::ImageFormat::Jpeg)
    }

    #[test]
    fn signed_images_are_recorded_with_what_their_credentials_say() {
        let repo = Repo::empty();
        repo.run(&["init"]).success();
        repo.write("public/images/made.png", sign(&common::png(7), "image/png"));
        repo.write("public/images/made.jpg", sign(&jpeg(), "image/jpeg"));
        repo.write("public/images/plain.png", common::png(8));
        repo.run(&["adopt", "public/images", "--reason", "test"])
            .success();
        for (path, container) in [
            ("public/images/made.png", "png:caBX"),
            ("public/images/made.jpg", "jpeg:APP11"),
        ] {
            let c2pa = &repo.entry(path)["c2pa"];
            assert_eq!(c2pa["container"].as_str(), Some(container), "{path}");
            assert!(
                c2pa["claim_generator"]
                    .as_str()
                    .unwrap()
                    .contains("assetrail-tests"),
                "{path}: {c2pa}"
            );
            let actions: Vec<&str> = c2pa["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert!(actions.contains(&"c2pa.created"), "{path}: {c2pa}");
            assert!(
                c2pa["digital_source_type"]
                    .as_str()
                    .unwrap()
                    .ends_with("trainedAlgorithmicMedia"),
                "{path}: {c2pa}"
            );
            assert_eq!(
                c2pa["validation_state"].as_str(),
                Some("valid"),
                "{path}: {c2pa}"
            );
            assert!(
                c2pa["signer"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("assetrail-tests"),
                "{path}: {c2pa}"
            );
        }
        assert!(repo.entry("public/images/plain.png").get("c2pa").is_none());
    }

    #[test]
    fn credentials_that_stop_validating_are_caught() {
        let repo = Repo::empty();
        repo.run(&["init"]).success();
        let signed = sign(&jpeg(), "image/jpeg");
        repo.write("public/images/made.jpg", signed.clone());
        repo.run(&["adopt", "public/images/made.jpg", "--reason", "test"])
            .success();
        // One byte of the picture changed after signing: the hash the
        // credentials hold no longer matches.
        let mut tampered = signed;
        let at = tampered.len() - 40;
        tampered[at] ^= 0x55;
        repo.write("public/images/made.jpg", tampered);
        let run = repo.run(&["check", "--format", "json"]);
        let found = codes(&run);
        assert!(found.contains(&"AR014".to_owned()), "{found:?}");
        assert!(run.stdout.contains("are now invalid"), "{}", run.stdout);

        // Stripped by a re-encode: lost as well.
        let bytes = repo.read("public/images/made.jpg");
        repo.write(
            "public/images/made.jpg",
            reencoded(&bytes, image::ImageFormat::Jpeg),
        );
        let run = repo.run(&["check", "--format", "json"]);
        assert!(
            run.stdout.contains("no longer carries them"),
            "{}",
            run.stdout
        );
    }
}
