//! Fixtures for the craft-village register and products: typed villages and titles.

use ctv::domain::product::TitleInput;
use ctv::domain::village::VillageInput;
use ctv::record::{ProductRecord, VillageRecord};
use ctv::store::Store;

/// A recognised village of `communes` (comma separated), decided on 15/03/2015.
pub fn village(name: &str, communes: &str) -> VillageInput {
    VillageInput {
        name: name.into(),
        communes: communes.into(),
        trade_group: "NN3".into(),
        traditional: "có".into(),
        decision_no: "123/QĐ-UBND".into(),
        decision_date: "15/03/2015".into(),
        status: "CONG_NHAN".into(),
        notes: String::new(),
    }
}

/// An OCOP title of `stars`, issued on `issued` (dd/mm/yyyy) in its year.
pub fn ocop(stars: &str, issued: &str) -> TitleInput {
    TitleInput {
        kind: "OCOP".into(),
        year: issued.rsplit('/').next().unwrap_or_default().into(),
        level: stars.into(),
        certificate: "45/GCN-OCOP".into(),
        issued_date: issued.into(),
        expiry_date: String::new(),
    }
}

/// A typical-product title at `level` (HUYEN, TINH …) in `year`.
pub fn typical(level: &str, year: &str) -> TitleInput {
    TitleInput {
        kind: "TIEU_BIEU".into(),
        year: year.into(),
        level: level.into(),
        ..Default::default()
    }
}

/// A village registered and a facility of it with one product carrying `titles`:
/// (village, facility id, product).
pub fn village_with_product(
    s: &mut Store,
    commune: &str,
    titles: &[TitleInput],
) -> (VillageRecord, String, ProductRecord) {
    let v = s
        .add_village(&village("Làng mây tre đan Phú Vinh", commune))
        .unwrap();
    let f = s
        .create_facility(&ctv::domain::FacilityInput {
            name: "HTX mây tre đan Phú Vinh".into(),
            entity_type: "HTX".into(),
            commune_code: commune.into(),
            craft_village: "Làng mây tre đan Phú Vinh".into(),
            ..Default::default()
        })
        .unwrap()
        .0;
    s.link_village(&f.id, f.meta.version, Some(&v.id)).unwrap();
    let p = s
        .add_product(&f.id, "Giỏ mây xuất khẩu", "", titles)
        .unwrap();
    (v, f.id, p)
}
