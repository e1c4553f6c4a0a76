// Hand-written: only types both backends share (BigInt, Integer, Text, Bool, Timestamp).
// Keep in step with migrations/{sqlite,postgres}; tests check that both end with the same columns.

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        password_changed_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        scope_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        refresh_generation -> BigInt,
        refresh_hash -> Text,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        company_id -> Text,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        occurred_at -> Timestamp,
        actor_type -> Text,
        actor_id -> Text,
        actor_role -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        request_id -> Text,
        change_digest -> Text,
        chain_pos -> Nullable<BigInt>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, role_grants, sessions, api_keys, login_throttle, audit_events);

diesel::table! {
    organisations (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        name -> Text,
        path -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grids (id) {
        id -> Text,
        community_id -> Text,
        parent_id -> Nullable<Text>,
        level -> Integer,
        name -> Text,
        party_branch_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    companies (id) {
        id -> Text,
        name -> Text,
        credit_code -> Text,
        party_coverage -> Text,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    estates (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        community_id -> Text,
        responsible_org_id -> Text,
        community_path -> Text,
        responsible_path -> Text,
        self_managed -> Bool,
        grid_id -> Nullable<Text>,
        address -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    buildings (id) {
        id -> Text,
        estate_id -> Text,
        name -> Text,
        grid_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    units (id) {
        id -> Text,
        estate_id -> Text,
        building_id -> Text,
        entrance -> Text,
        number -> Text,
        kind -> Text,
        area_registry_centi -> Nullable<BigInt>,
        area_survey_centi -> Nullable<BigInt>,
        area_contract_centi -> Nullable<BigInt>,
        sale_status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    owners (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        id_hash -> Nullable<Text>,
        id_last4 -> Nullable<Text>,
        phone -> Nullable<Text>,
        party_member -> Bool,
        party_org_id -> Nullable<Text>,
        party_post -> Nullable<Text>,
        introduced_with -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ownerships (id) {
        id -> Text,
        unit_id -> Text,
        owner_id -> Text,
        designated_voter -> Bool,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_contracts (id) {
        id -> Text,
        company_id -> Text,
        estate_id -> Text,
        kind -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    activation_codes (id) {
        id -> Text,
        owner_id -> Text,
        code_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(buildings -> estates (estate_id));
diesel::joinable!(grids -> organisations (community_id));
diesel::joinable!(units -> buildings (building_id));
diesel::joinable!(ownerships -> units (unit_id));
diesel::joinable!(ownerships -> owners (owner_id));
diesel::joinable!(service_contracts -> companies (company_id));
diesel::joinable!(service_contracts -> estates (estate_id));
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    grids,
    companies,
    estates,
    buildings,
    units,
    owners,
    ownerships,
    service_contracts,
    activation_codes
);
