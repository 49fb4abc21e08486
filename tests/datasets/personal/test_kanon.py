from datasets.personal import DEFAULT_QUASI_IDENTIFIERS, smallest_group_size


def test_smallest_group_over_the_quasi_identifiers_present(write_csv):
    path = write_csv(
        [
            ["GioiTinh", "Năm sinh", "Phường", "so_tien"],
            ["Nam", "1985", "Phường Bến Nghé", "100"],
            ["Nam", "1985", "Phường Bến Nghé", "200"],
            ["Nữ", "1990", "Phường 12", "300"],
            ["Nữ", "1990", "Phường 12 ", "400"],
            ["Nữ", "1990", "Phường 12", "500"],
        ]
    )
    assert smallest_group_size(path, DEFAULT_QUASI_IDENTIFIERS) == 2
    assert smallest_group_size(path, ["gioi_tinh"]) == 2
    assert smallest_group_size(path, ["so_tien"]) == 1


def test_a_unique_combination_gives_k_of_one(write_csv):
    path = write_csv([["gioi_tinh", "nam_sinh"], ["Nam", "1985"], ["Nam", "1985"], ["Nữ", "1931"]])
    assert smallest_group_size(path, DEFAULT_QUASI_IDENTIFIERS) == 1


def test_none_when_no_quasi_identifier_or_no_rows(write_csv):
    assert smallest_group_size(write_csv([["so_tien"], ["100"]]), DEFAULT_QUASI_IDENTIFIERS) is None
    assert smallest_group_size(write_csv([["gioi_tinh"]]), DEFAULT_QUASI_IDENTIFIERS) is None


def test_places_alone_are_quasi_identifiers_only_in_a_table_about_persons(write_csv):
    # Seen by a publisher: bicycle stations, no personal data, "only 2 rows" re-identification.
    stations = write_csv(
        [["ten_tram", "Phường", "Quận", "so_xe"], ["Trạm A", "Bến Nghé", "1", "12"],
         ["Trạm B", "Bến Thành", "1", "8"]]
    )  # fmt: skip
    quasi = DEFAULT_QUASI_IDENTIFIERS
    assert smallest_group_size(stations, quasi, holds_personal_data=False) is None
    # The same places in a table that held personal data (e.g. names dropped) do count.
    assert smallest_group_size(stations, quasi, holds_personal_data=True) == 1
    # A person's attribute makes the table about persons whatever the findings.
    people = write_csv([["gioi_tinh", "phuong"], ["Nam", "Bến Nghé"], ["Nữ", "Bến Nghé"]])
    assert smallest_group_size(people, quasi, holds_personal_data=False) == 1
