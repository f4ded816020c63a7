//! Fixtures for activities: facilities of a commune and a training course with 25 attendees.

use ctv::domain::activity::{ActivityInput, AttendeeInput};
use ctv::domain::FacilityInput;
use ctv::store::Store;

/// `n` facilities in commune `commune` («Cơ sở mây tre số 1» …), their ids in order.
pub fn facilities(s: &mut Store, commune: &str, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            s.create_facility(&FacilityInput {
                name: format!("Cơ sở mây tre số {i}"),
                entity_type: "HKD".into(),
                commune_code: commune.into(),
                ..Default::default()
            })
            .unwrap()
            .0
            .id
        })
        .collect()
}

/// A training course (tập huấn) of 25 attendees in `commune`: 8 facilities, 12 named people
/// (7 women, 3 ethnic minorities, 4 of them from one of the facilities) and 5 not listed by
/// name (2 women, 1 ethnic minority) — 9 women and 4 ethnic minorities in all.
pub fn training_course(commune: &str, facilities: &[String]) -> ActivityInput {
    let mut attendees: Vec<AttendeeInput> = facilities
        .iter()
        .take(8)
        .map(|f| AttendeeInput {
            facility_id: f.clone(),
            ..Default::default()
        })
        .collect();
    for i in 0..12 {
        attendees.push(AttendeeInput {
            facility_id: facilities
                .get(i)
                .filter(|_| i < 4)
                .cloned()
                .unwrap_or_default(),
            person_name: format!("Học viên số {}", i + 1),
            gender: if i < 7 { "NU" } else { "nam" }.into(),
            ethnic_minority: i % 4 == 0,
        });
    }
    ActivityInput {
        kind: "TAP_HUAN".into(),
        title: "Lớp tập huấn kỹ thuật đan mây xuất khẩu".into(),
        start_date: "12/01/2027".into(),
        end_date: "14/01/2027".into(),
        commune_code: commune.into(),
        place: "Nhà văn hóa thôn Phú Vinh".into(),
        organiser: "Trung tâm Khuyến công".into(),
        cost: "45 triệu".into(),
        unnamed_count: "5".into(),
        unnamed_women: "2".into(),
        unnamed_minority: "1".into(),
        attendees,
        ..Default::default()
    }
}
