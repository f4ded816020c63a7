//! The bundle reader under random and mutated input, on every `cargo test` (the cargo-fuzz
//! target in fuzz/ does the same for longer). The reader must answer Ok or Err — never
//! panic — and whatever it accepts after a mutation must be the original content (the
//! mutation hit bytes the signature does not cover, such as ZIP timestamps).

use std::sync::{Arc, OnceLock};

use ctv::bundle::export::export_with_key;
use ctv::bundle::{read_bundle_bytes, Bundle, ExportOptions, ReadLimits, SigningKeyFile};
use ctv::clock::SystemClock;
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use proptest::prelude::*;

/// A small real bundle: two facilities, a consultation, made once.
fn good() -> &'static (Vec<u8>, Bundle) {
    static G: OnceLock<(Vec<u8>, Bundle)> = OnceLock::new();
    G.get_or_init(|| {
        let mut s = Store::open_in_memory(Arc::new(SystemClock)).unwrap();
        s.init_profile(
            &ProfileInput {
                name: "Nguyễn Văn A".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            false,
        )
        .unwrap();
        let mut ids = Vec::new();
        for name in ["HTX mây tre đan Phú Vinh", "Cơ sở mộc Đồng Kỵ"] {
            let f = s
                .create_facility(&FacilityInput {
                    name: name.into(),
                    commune_code: "00004".into(),
                    ..Default::default()
                })
                .unwrap()
                .0;
            ids.push(f.id);
        }
        s.add_consultation(&ConsultationInput {
            facility_id: ids[0].clone(),
            date: "20/11/2026".into(),
            mode: "TRUC_TIEP".into(),
            needs: "Máy chẻ nan".into(),
            ..Default::default()
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.ctvb");
        export_with_key(
            &mut s,
            &SigningKeyFile::ephemeral(),
            &ExportOptions {
                full: true,
                out: Some(path.clone()),
            },
            &|_, _| {},
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let b = read_bundle_bytes(&bytes, &ReadLimits::default()).unwrap();
        (bytes, b)
    })
}

fn limits() -> ReadLimits {
    // Small caps keep each case fast; the real caps are larger, the logic the same.
    ReadLimits {
        max_entry: 1 << 20,
        max_total: 4 << 20,
        ..ReadLimits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(read_bundle_bytes(&bytes, &limits()).is_err());
    }

    #[test]
    fn random_bytes_behind_a_zip_signature_are_refused(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        bytes.extend(b"PK\x05\x06");
        bytes.extend([0u8; 18]);
        prop_assert!(read_bundle_bytes(&bytes, &limits()).is_err());
    }

    #[test]
    fn mutated_bundles_are_refused_or_unchanged(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let (orig, bundle) = good();
        let mut bytes = orig.clone();
        for (at, v) in &edits {
            let i = at.index(bytes.len());
            bytes[i] ^= v | 1;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()));
        }
        if let Ok(b) = read_bundle_bytes(&bytes, &limits()) {
            prop_assert_eq!(&b, bundle);
        }
    }
}

#[test]
fn the_good_bundle_reads_back() {
    let (bytes, b) = good();
    assert_eq!(b.facilities.len(), 2);
    assert_eq!(b.consultations.len(), 1);
    assert_eq!(
        read_bundle_bytes(bytes, &limits()).unwrap(),
        b.clone(),
        "reading is deterministic"
    );
}
