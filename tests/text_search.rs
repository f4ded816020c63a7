//! Golden tests for Vietnamese text handling and the shared search.

use ctv::search::{Doc, Field, SearchIndex};
use ctv::text::{fold, ingest, ingest_multiline, nfc, sanitize, vn_cmp, vn_person_sort_key};
use proptest::prelude::*;

fn doc(name: &str) -> Doc {
    Doc {
        id: format!("id-{name}"),
        name: name.to_owned(),
        ..Doc::default()
    }
}

fn full(name: &str, rep: &str, products: &str, commune: &str, phone: &str) -> Doc {
    Doc {
        id: format!("id-{name}"),
        name: name.to_owned(),
        representative: rep.to_owned(),
        products: products.to_owned(),
        commune: commune.to_owned(),
        phone: phone.to_owned(),
        tax_code: String::new(),
    }
}

fn index(docs: impl IntoIterator<Item = Doc>) -> SearchIndex {
    let mut idx = SearchIndex::new();
    for d in docs {
        idx.push(d);
    }
    idx
}

fn names(idx: &SearchIndex, query: &str, limit: usize) -> Vec<String> {
    idx.search(query, limit)
        .iter()
        .map(|h| idx.doc(h.index).name.to_owned())
        .collect()
}

const DECOYS: [&str; 8] = [
    "Cơ sở Lê Văn Ngà",
    "Hộ kinh doanh Lương Anh Nghĩa",
    "HTX Long Giang Hệ",
    "Cơ sở dụng cụ Nguyễn Hữu Lộc",
    "Công ty TNHH Lan Nga",
    "Cơ sở nước mắm Thanh Hà",
    "Doanh nghiệp Đăng Khoa",
    "Xưởng mộc Lạng Ngãi Hoè",
];

// ---------------------------------------------------------------------------------------
// text

#[test]
fn ingest_strips_terminal_controls() {
    for (input, expected) in [
        ("Tên\x1b[2J cơ sở", "Tên cơ sở"),
        ("\x1b]52;c;aGk=\x07Bát Tràng", "Bát Tràng"),
        ("Làng\u{202E}nghề", "Làngnghề"),
        ("Gốm\u{9B}sứ", "Gốmsứ"),
        ("a\x1bb\x07c", "ac"),
    ] {
        let out = ingest(input);
        assert_eq!(out, expected, "{input:?}");
        assert!(
            !out.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{out:?}"
        );
    }
    assert_eq!(ingest("  Làng \t nghề\r\n"), "Làng nghề");
    assert_eq!(
        ingest_multiline("Dòng 1  \r\nDòng 2\x1b[31m\rDòng 3\n"),
        "Dòng 1\nDòng 2\nDòng 3"
    );
}

#[test]
fn nfd_input_becomes_nfc() {
    assert_eq!(ingest("Nguye\u{0303}\u{0302}n"), "Nguyễn");
    assert_eq!(nfc("Nguye\u{0302}\u{0303}n"), "Nguyễn");
    assert_eq!(ingest("Nguye\u{0303}\u{0302}n").chars().count(), 6);
}

#[test]
fn fold_examples() {
    assert_eq!(fold("Đức"), "duc");
    assert_eq!(fold("Hoà"), "hoa");
    assert_eq!(fold("Hòa"), "hoa");
    assert_eq!(fold("LÀNG NGHỀ"), "lang nghe");
    assert_eq!(fold("Nguye\u{0303}\u{0302}n"), "nguyen");
}

#[test]
fn sanitize_never_emits_esc() {
    let s = sanitize("a\x1b[2J\u{9B}\u{202E}b");
    assert!(!s.contains('\x1b'));
    assert_eq!(s.chars().count(), 8);
}

proptest! {
    #[test]
    fn fold_maps_char_for_char(s in "\\PC{0,50}") {
        prop_assert_eq!(fold(&s).chars().count(), nfc(&s).chars().count());
    }

    #[test]
    fn fold_maps_char_for_char_on_vietnamese(
        s in "[a-zA-Z ĐđăâêôơưĂÂÊÔƠƯàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ\u{0300}\u{0301}\u{0303}\u{0309}\u{0323}\u{0302}\u{0306}\u{031B}]{0,40}"
    ) {
        let folded = fold(&s);
        prop_assert_eq!(folded.chars().count(), nfc(&s).chars().count());
        prop_assert!(folded.chars().all(|c| c.is_ascii() || !c.is_alphabetic() || c.is_lowercase() || !c.is_uppercase()));
    }
}

#[test]
fn vietnamese_sort_order() {
    let mut v = vec![
        "Ông", "Ân", "An", "Ăn", "Bình", "Đạt", "Dũng", "Ê", "E", "Ư", "U", "a", "à", "ả", "ã",
        "á", "ạ",
    ];
    v.sort_by(|a, b| vn_cmp(a, b));
    assert_eq!(
        v,
        [
            "a", "à", "ả", "ã", "á", "ạ", "An", "Ăn", "Ân", "Bình", "Dũng", "Đạt", "E", "Ê", "Ông",
            "U", "Ư"
        ]
    );
}

#[test]
fn person_sort_order() {
    let mut v = vec!["Trần Thị Bình", "Lê Văn Bình", "Nguyễn Văn An"];
    v.sort_by_key(|s| vn_person_sort_key(s));
    assert_eq!(v, ["Nguyễn Văn An", "Lê Văn Bình", "Trần Thị Bình"]);
}

// ---------------------------------------------------------------------------------------
// search

#[test]
fn duc_finds_duc_with_diacritics() {
    let idx = index([doc("Cơ sở Đức Thành"), doc("Cơ sở An Phú")]);
    assert_eq!(names(&idx, "duc", 10), ["Cơ sở Đức Thành"]);
    assert_eq!(names(&idx, "Đức", 10), ["Cơ sở Đức Thành"]);
    assert_eq!(names(&idx, "ĐỨC", 10), ["Cơ sở Đức Thành"]);
}

#[test]
fn nguyen_finds_nguyen() {
    let idx = index([doc("Hộ kinh doanh Nguyễn Văn An"), doc("Cơ sở Trần Bình")]);
    assert_eq!(names(&idx, "nguyen", 10), ["Hộ kinh doanh Nguyễn Văn An"]);
}

#[test]
fn lang_nghe_ranks_the_craft_village_first() {
    let target = "Làng nghề gốm Bát Tràng";
    let mut docs: Vec<Doc> = DECOYS.iter().map(|n| doc(n)).collect();
    docs.insert(3, doc(target));
    let idx = index(docs);
    let found = names(&idx, "lang nghe", 10);
    assert_eq!(found.first().map(String::as_str), Some(target), "{found:?}");
    assert_eq!(names(&idx, "LÀNG NGHỀ", 1), [target]);
}

#[test]
fn nfd_data_and_nfd_queries() {
    let nfd_name = "Cơ sở Nguye\u{0302}\u{0303}n Ho\u{0300}a";
    let idx = index([doc(nfd_name), doc("Cơ sở Trần Bình")]);
    // NFC query, NFD data.
    assert_eq!(idx.search("Nguyễn Hòa", 10).len(), 1);
    let hit = &idx.search("Nguyễn", 10)[0];
    assert_eq!(idx.doc(hit.index).name, "Cơ sở Nguyễn Hòa");
    assert_eq!(hit.positions, [6, 7, 8, 9, 10, 11]);
    // NFD query, NFC data.
    let idx = index([doc("Cơ sở Nguyễn Hòa"), doc("Cơ sở Trần Bình")]);
    assert_eq!(
        names(&idx, "Nguye\u{0302}\u{0303}n", 10),
        ["Cơ sở Nguyễn Hòa"]
    );
    assert_eq!(names(&idx, "Ho\u{0300}a", 10), ["Cơ sở Nguyễn Hòa"]);
}

#[test]
fn hoa_spellings_are_equivalent() {
    let idx = index([doc("HTX Hoà Bình"), doc("HTX Hòa Phú"), doc("HTX An Khánh")]);
    let a = names(&idx, "Hoà", 10);
    let b = names(&idx, "Hòa", 10);
    assert_eq!(a.len(), 2);
    assert_eq!(a, b);
    assert_eq!(a, names(&idx, "hoa", 10));
}

#[test]
fn positions_point_at_the_original_letters() {
    let idx = index([doc("Cơ sở Đức Thành")]);
    let hits = idx.search("duc", 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].field, Field::Name);
    assert_eq!(hits[0].positions, [6, 7, 8]);
    let name: Vec<char> = idx.doc(0).name.chars().collect();
    let marked: String = hits[0].positions.iter().map(|&p| name[p]).collect();
    assert_eq!(marked, "Đức");
}

#[test]
fn positions_of_several_words_in_one_field() {
    let idx = index([doc("Làng nghề gốm Bát Tràng")]);
    let hit = &idx.search("gom trang", 10)[0];
    assert_eq!(hit.positions, [10, 11, 12, 18, 19, 20, 21, 22]);
}

#[test]
fn limit_is_respected() {
    let idx = index((0..30).map(|i| doc(&format!("Cơ sở gốm số {i}"))));
    assert_eq!(idx.search("gom", 5).len(), 5);
    assert_eq!(idx.search("gom", 100).len(), 30);
    assert!(idx.search("gom", 0).is_empty());
}

#[test]
fn empty_query_finds_nothing() {
    let idx = index([doc("Cơ sở Đức Thành")]);
    assert!(idx.search("", 10).is_empty());
    assert!(idx.search("   \t ", 10).is_empty());
    assert!(SearchIndex::new().search("duc", 10).is_empty());
}

#[test]
fn exact_word_in_name_ranks_above_a_scattered_match() {
    let idx = index([
        doc("Cơ sở dược liệu Thành Công"),
        doc("Cơ sở Đức Thành"),
        doc("Cơ sở giáo dục nghề"),
        doc("Cơ sở đúc đồng"),
        doc("Cơ sở dụng cụ Minh"),
    ]);
    let found = names(&idx, "duc", 10);
    // Whole syllables first (Vietnamese order between equal scores), then d-u-c scattered
    // in "dược". Letters spread over several syllables ("dụng cụ") are no match.
    assert_eq!(
        found,
        [
            "Cơ sở đúc đồng",
            "Cơ sở Đức Thành",
            "Cơ sở giáo dục nghề",
            "Cơ sở dược liệu Thành Công"
        ]
    );
    let hits = idx.search("duc", 10);
    assert!(hits[0].score > hits[3].score);
}

#[test]
fn every_word_must_match_somewhere() {
    let idx = index([
        full(
            "Cơ sở Hùng Phát",
            "Nguyễn Văn Hùng",
            "gốm sứ",
            "Xã Bát Tràng",
            "0912345678",
        ),
        full(
            "Cơ sở Minh Anh",
            "Lê Thị Mai",
            "gốm",
            "Xã Phù Lãng",
            "0987654321",
        ),
        full(
            "HTX mây tre",
            "Trần Văn Tú",
            "mây tre đan",
            "Xã Phú Vinh",
            "0911222333",
        ),
    ]);
    assert_eq!(names(&idx, "gom bat trang", 10), ["Cơ sở Hùng Phát"]);
    assert_eq!(idx.search("gom", 10).len(), 2);
    assert!(idx.search("gom phu vinh", 10).is_empty());
}

#[test]
fn name_match_outweighs_the_same_match_elsewhere() {
    let idx = index([
        full("Cơ sở Lan Anh", "Hà Thị Bình", "", "", ""),
        full("Cơ sở Lan Chi", "Lê Văn Bình", "", "", ""),
        full("Cơ sở Bình Minh", "Trần Thị Lan", "", "", ""),
    ]);
    let hits = idx.search("binh", 10);
    assert_eq!(idx.doc(hits[0].index).name, "Cơ sở Bình Minh");
    assert_eq!(hits[0].field, Field::Name);
    assert_eq!(hits[1].field, Field::Representative);
}

#[test]
fn phone_digits_ignore_spaces_and_dots() {
    let idx = index([
        full("Cơ sở A", "", "", "", "0912 345.678"),
        full("Cơ sở B", "", "", "", "0987654321"),
    ]);
    for q in ["0912345678", "0912.345", "345678", "0912 345"] {
        let hits = idx.search(q, 10);
        assert_eq!(hits.len(), 1, "{q}");
        assert_eq!(hits[0].field, Field::Phone, "{q}");
    }
    let hit = &idx.search("2345", 10)[0];
    // "0912 345.678": digits 2,3,4,5 are chars 3,5,6,7.
    assert_eq!(hit.positions, [3, 5, 6, 7]);
    // Scattered digits are no phone match.
    assert!(idx.search("0918", 10).is_empty());
}

#[test]
fn typing_letter_by_letter_matches_a_fresh_search() {
    let mut docs = Vec::new();
    for (i, name) in DECOYS.iter().enumerate() {
        docs.push(full(
            name,
            "Nguyễn Văn Đức",
            "gốm",
            "Xã Bát Tràng",
            &format!("09{i:08}"),
        ));
    }
    docs.push(doc("Làng nghề gốm Bát Tràng"));
    let typing = index(docs.clone());
    let mut typed = String::new();
    for c in "lang nghe gom bat".chars() {
        typed.push(c);
        let fresh = index(docs.clone());
        assert_eq!(
            typing.search(&typed, 5),
            fresh.search(&typed, 5),
            "{typed:?}"
        );
    }
}

#[test]
fn ties_follow_vietnamese_name_order() {
    let idx = index(["Đạt Gốm", "Dũng Gốm", "Ân Gốm", "An Gốm", "Ăn Gốm"].map(doc));
    assert_eq!(
        names(&idx, "gom", 10),
        ["An Gốm", "Ăn Gốm", "Ân Gốm", "Dũng Gốm", "Đạt Gốm"]
    );
    assert_eq!(names(&idx, "gom", 2), ["An Gốm", "Ăn Gốm"]);
}
