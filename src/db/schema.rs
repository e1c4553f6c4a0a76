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
        refresh_nonce -> Text,
        rotated_at -> Nullable<Timestamp>,
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
        client_request_id -> Nullable<Text>,
    }
}

diesel::table! {
    audit_anchor (id) {
        id -> Text,
        chain_pos -> BigInt,
        hash -> Text,
        mac -> Text,
        anchored_at -> Timestamp,
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
        department_code -> Nullable<Text>,
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
        county_id -> Nullable<Text>,
    }
}

diesel::table! {
    instance_keys (name) {
        name -> Text,
        fingerprint -> Text,
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
        birth_date -> Nullable<Date>,
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
        estate_id -> Text,
        party_member -> Bool,
        owner_name -> Text,
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
        revoked_at -> Nullable<Timestamp>,
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
    instance_keys,
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

diesel::table! {
    county_rules (county_id) {
        county_id -> Text,
        rules -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    committees (id) {
        id -> Text,
        estate_id -> Text,
        kind -> Text,
        status -> Text,
        term_years -> Integer,
        seats -> Integer,
        formed_on -> Nullable<Date>,
        term_ends_on -> Nullable<Date>,
        filed_bureau_on -> Nullable<Date>,
        filed_street_on -> Nullable<Date>,
        first_meeting_on -> Nullable<Date>,
        handover_due_on -> Nullable<Date>,
        handed_over_on -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        by_election_required -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    committee_members (id) {
        id -> Text,
        committee_id -> Text,
        owner_id -> Nullable<Text>,
        name -> Text,
        affiliation -> Text,
        role -> Text,
        alternate_rank -> Nullable<Integer>,
        votes -> Nullable<BigInt>,
        party_member -> Bool,
        two_committees -> Bool,
        grid_secretary -> Bool,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    negative_items (id) {
        id -> Text,
        county_id -> Text,
        code -> Text,
        text -> Text,
        legal_basis -> Text,
        evidence_department -> Text,
        duration_months -> Nullable<Integer>,
        enabled -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    negative_records (id) {
        id -> Text,
        county_id -> Text,
        owner_id -> Text,
        item_code -> Text,
        evidence_ref -> Text,
        department_id -> Text,
        recorded_by -> Text,
        effective_from -> Date,
        expires_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    elections (id) {
        id -> Text,
        committee_id -> Text,
        seats -> Integer,
        status -> Text,
        published_on -> Nullable<Date>,
        publicity_ends_on -> Nullable<Date>,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    unit_area_changes (id) {
        id -> Text,
        unit_id -> Text,
        source -> Text,
        old_area_centi -> Nullable<BigInt>,
        new_area_centi -> Nullable<BigInt>,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    tie_resolutions (id) {
        id -> Text,
        vote_id -> Text,
        place -> Text,
        method -> Text,
        winners -> Text,
        runoff_vote_id -> Nullable<Text>,
        drawn_by -> Nullable<Text>,
        witness -> Nullable<Text>,
        drawn_at -> Nullable<Timestamp>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    candidates (id) {
        id -> Text,
        election_id -> Text,
        owner_id -> Text,
        nominated_by -> Text,
        nominator_id -> Text,
        party_member -> Bool,
        status -> Text,
        screening -> Nullable<Text>,
        reasons -> Nullable<Text>,
        screened_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    candidate_reviews (id) {
        id -> Text,
        candidate_id -> Text,
        department_code -> Text,
        passed -> Bool,
        reason -> Text,
        reviewer_id -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    objections (id) {
        id -> Text,
        candidate_id -> Text,
        filed_by -> Text,
        statement -> Text,
        filed_on -> Date,
        answer_due_on -> Date,
        answer -> Nullable<Text>,
        upheld -> Nullable<Bool>,
        answered_by -> Nullable<Text>,
        answered_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(committee_members -> committees (committee_id));
diesel::joinable!(elections -> committees (committee_id));
diesel::joinable!(candidates -> elections (election_id));
diesel::joinable!(candidate_reviews -> candidates (candidate_id));
diesel::joinable!(objections -> candidates (candidate_id));
diesel::allow_tables_to_appear_in_same_query!(
    county_rules,
    committees,
    committee_members,
    negative_items,
    negative_records,
    elections,
    candidates,
    candidate_reviews,
    objections
);

diesel::table! {
    proposals (id) {
        id -> Text,
        estate_id -> Text,
        title -> Text,
        summary -> Text,
        category -> Integer,
        status -> Text,
        mobilised_by -> Text,
        mobilised_at -> Timestamp,
        branch_endorsed_by -> Nullable<Text>,
        branch_endorsed_at -> Nullable<Timestamp>,
        committee_endorsed_by -> Nullable<Text>,
        committee_endorsed_at -> Nullable<Timestamp>,
        company_endorsed_by -> Nullable<Text>,
        company_endorsed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_reasons -> Nullable<Text>,
    }
}

diesel::table! {
    votes (id) {
        id -> Text,
        estate_id -> Text,
        category -> Integer,
        title -> Text,
        question -> Text,
        kind -> Text,
        seats -> Nullable<Integer>,
        election_id -> Nullable<Text>,
        proposal_id -> Nullable<Text>,
        convenor -> Text,
        include_parking -> Bool,
        notice_posted_on -> Date,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        extension_reason -> Nullable<Text>,
        opened_at -> Nullable<Timestamp>,
        roll_fingerprint -> Nullable<Text>,
        total_area -> Nullable<BigInt>,
        total_heads -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        runoff_of -> Nullable<Text>,
        runoff_place -> Nullable<Text>,
    }
}

diesel::table! {
    vote_options (vote_id, option_id) {
        vote_id -> Text,
        option_id -> Text,
        label -> Text,
        position -> Integer,
    }
}

diesel::table! {
    roll_entries (vote_id, voter_id) {
        vote_id -> Text,
        voter_id -> Text,
        voter_key -> Text,
        area_centi -> BigInt,
        unit_count -> Integer,
        designated_owner_id -> Nullable<Text>,
    }
}

diesel::table! {
    current_ballots (vote_id, voter_id) {
        vote_id -> Text,
        voter_id -> Text,
        ballot_id -> Text,
        choice -> Text,
        channel -> Text,
        receipt -> Text,
        cast_at -> Timestamp,
    }
}

diesel::table! {
    ballot_history (id) {
        id -> Text,
        vote_id -> Text,
        voter_id -> Text,
        choice -> Text,
        selections -> Text,
        channel -> Text,
        paper_ref -> Nullable<Text>,
        cast_by -> Text,
        receipt -> Text,
        cast_at -> Timestamp,
    }
}

diesel::table! {
    ballot_selections (vote_id, voter_id, option_id) {
        vote_id -> Text,
        voter_id -> Text,
        option_id -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    proposals,
    votes,
    vote_options,
    roll_entries,
    current_ballots,
    ballot_history,
    ballot_selections
);

diesel::table! {
    ledger_tallies (county_id, day, category, assignee_kind, measure, hours) {
        county_id -> Text,
        day -> Date,
        category -> Text,
        assignee_kind -> Text,
        measure -> Text,
        hours -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    ledger_settings (county_id) {
        county_id -> Text,
        settings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    volunteer_teams (id) {
        id -> Text,
        community_id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    volunteer_team_members (team_id, owner_id) {
        team_id -> Text,
        owner_id -> Text,
    }
}

diesel::table! {
    ledger_items (id) {
        id -> Text,
        estate_id -> Text,
        building_id -> Nullable<Text>,
        unit_id -> Nullable<Text>,
        category -> Text,
        title -> Text,
        description -> Text,
        reporter_type -> Text,
        reporter_id -> Text,
        reporter_role -> Text,
        reporter_company_id -> Nullable<Text>,
        reporter_name -> Text,
        show_reporter -> Bool,
        status -> Text,
        assignee_kind -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        dispatched_at -> Nullable<Timestamp>,
        accept_due -> Nullable<Timestamp>,
        done_due -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        confirm_by -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
        rating -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        service_minutes -> Nullable<Integer>,
    }
}

diesel::table! {
    ledger_steps (id) {
        id -> Text,
        item_id -> Text,
        step -> Text,
        status -> Text,
        actor_type -> Text,
        actor_id -> Text,
        actor_role -> Text,
        assignee_kind -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        note -> Nullable<Text>,
        rating -> Nullable<Integer>,
        attachments -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        content_type -> Text,
        size -> BigInt,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachment_uploads (attachment_id, uploader_id) {
        attachment_id -> Text,
        uploader_id -> Text,
        file_name -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    attachment_refs (attachment_id, record_type, record_id) {
        attachment_id -> Text,
        record_type -> Text,
        record_id -> Text,
    }
}

diesel::joinable!(ledger_steps -> ledger_items (item_id));
diesel::joinable!(volunteer_team_members -> volunteer_teams (team_id));
diesel::allow_tables_to_appear_in_same_query!(ledger_items, ledger_steps, estates);
diesel::allow_tables_to_appear_in_same_query!(volunteer_teams, volunteer_team_members, owners);
diesel::allow_tables_to_appear_in_same_query!(attachments, attachment_uploads, attachment_refs);

diesel::table! {
    meetings (id) {
        id -> Text,
        kind -> Text,
        convenor_org_id -> Text,
        estate_id -> Nullable<Text>,
        community_id -> Text,
        community_path -> Text,
        title -> Text,
        starts_at -> Timestamp,
        place -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    meeting_parties (id) {
        id -> Text,
        meeting_id -> Text,
        kind -> Text,
        party_id -> Nullable<Text>,
        name -> Text,
        attendance -> Text,
        represented_by -> Nullable<Text>,
    }
}

diesel::table! {
    agenda_items (id) {
        id -> Text,
        meeting_id -> Text,
        seq -> Integer,
        title -> Text,
        ledger_item_id -> Nullable<Text>,
        proposal_id -> Nullable<Text>,
    }
}

diesel::table! {
    minutes (id) {
        id -> Text,
        meeting_id -> Text,
        version -> Integer,
        previous_id -> Nullable<Text>,
        status -> Text,
        content -> Text,
        fingerprint -> Nullable<Text>,
        round -> Integer,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    minutes_answers (id) {
        id -> Text,
        minutes_id -> Text,
        party_id -> Text,
        correction -> Bool,
        comment -> Nullable<Text>,
        round -> Integer,
        actor_id -> Text,
        answered_at -> Timestamp,
    }
}

diesel::table! {
    action_items (id) {
        id -> Text,
        meeting_id -> Text,
        minutes_id -> Text,
        decision -> Integer,
        title -> Text,
        responsible_party_id -> Text,
        due_on -> Date,
        status -> Text,
        reported_at -> Nullable<Timestamp>,
        done_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    action_item_ledger (action_id, ledger_item_id) {
        action_id -> Text,
        ledger_item_id -> Text,
    }
}

diesel::table! {
    action_steps (id) {
        id -> Text,
        action_id -> Text,
        step -> Text,
        note -> Nullable<Text>,
        actor_id -> Text,
        actor_role -> Text,
        at -> Timestamp,
        attachments -> Text,
    }
}

diesel::joinable!(action_item_ledger -> action_items (action_id));
diesel::joinable!(action_items -> meeting_parties (responsible_party_id));
diesel::joinable!(action_items -> meetings (meeting_id));
diesel::allow_tables_to_appear_in_same_query!(
    meetings,
    meeting_parties,
    agenda_items,
    minutes,
    minutes_answers,
    action_items,
    action_item_ledger,
    action_steps
);

diesel::table! {
    rating_campaigns (id) {
        id -> Text,
        county_id -> Text,
        name -> Text,
        period_from -> Date,
        period_until -> Date,
        config -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rating_responses (campaign_id, estate_id, owner_id) {
        campaign_id -> Text,
        estate_id -> Text,
        owner_id -> Text,
        company_id -> Text,
        answers -> Text,
        comment -> Nullable<Text>,
        submitted_at -> Timestamp,
        channel -> Text,
        entered_by -> Nullable<Text>,
        paper_ref -> Nullable<Text>,
    }
}

diesel::table! {
    rating_inputs (id) {
        id -> Text,
        campaign_id -> Text,
        estate_id -> Text,
        company_id -> Text,
        source -> Text,
        scores -> Text,
        note -> Nullable<Text>,
        attachments -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    rating_marks (id) {
        id -> Text,
        campaign_id -> Text,
        company_id -> Text,
        estate_id -> Nullable<Text>,
        kind -> Text,
        code -> Text,
        reason -> Text,
        attachments -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    rating_runs (id) {
        id -> Text,
        campaign_id -> Text,
        version -> Integer,
        config -> Text,
        fingerprint -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        appeal_id -> Nullable<Text>,
    }
}

diesel::table! {
    rating_results (run_id, company_id, estate_id) {
        run_id -> Text,
        company_id -> Text,
        estate_id -> Text,
        score_centi -> BigInt,
        stars -> Integer,
        vetoed -> Bool,
        low_sample -> Bool,
        responses -> BigInt,
        rank -> Integer,
        detail -> Text,
    }
}

diesel::table! {
    rating_appeals (id) {
        id -> Text,
        campaign_id -> Text,
        company_id -> Text,
        estate_id -> Text,
        indicator -> Text,
        statement -> Text,
        attachments -> Text,
        filed_by -> Text,
        filed_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision -> Nullable<Text>,
        decision_attachments -> Text,
        new_value -> Nullable<Text>,
        run_id -> Nullable<Text>,
    }
}

diesel::joinable!(rating_results -> rating_runs (run_id));
diesel::allow_tables_to_appear_in_same_query!(
    rating_campaigns,
    rating_responses,
    rating_inputs,
    rating_marks,
    rating_runs,
    rating_results,
    rating_appeals,
    companies
);
diesel::allow_tables_to_appear_in_same_query!(rating_results, estates);

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        owner_kind -> Text,
        owner_id -> Text,
        url -> Text,
        event_types -> Text,
        description -> Text,
        active -> Bool,
        secret_generation -> Integer,
        previous_valid_until -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        event_type -> Text,
        county_id -> Nullable<Text>,
        company_id -> Nullable<Text>,
        subject_id -> Text,
        payload -> Text,
        occurred_at -> Timestamp,
        available_at -> Timestamp,
        fanned_out -> Bool,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        event_id -> Text,
        endpoint_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_endpoints, webhook_events, webhook_deliveries);

diesel::table! {
    idempotency_keys (scope, idem_key) {
        scope -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
        locked_until -> Timestamp,
    }
}

diesel::table! {
    fee_standards (id) {
        id -> Text,
        estate_id -> Text,
        effective_from -> Date,
        basis -> Text,
        basis_vote_id -> Nullable<Text>,
        basis_proposal_id -> Nullable<Text>,
        basis_document -> Nullable<Text>,
        complaint_phone -> Text,
        note -> Text,
        items -> Text,
        company_id -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    income_shares (id) {
        id -> Text,
        estate_id -> Text,
        share_permille -> Integer,
        basis_vote_id -> Text,
        effective_from -> Date,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    money_entries (id) {
        id -> Text,
        estate_id -> Text,
        account -> Text,
        kind -> Text,
        category -> Text,
        amount_fen -> BigInt,
        occurred_on -> Date,
        counterparty -> Text,
        description -> Text,
        basis_vote_id -> Nullable<Text>,
        fund_use_id -> Nullable<Text>,
        balance_fen -> Nullable<BigInt>,
        attachments -> Text,
        source -> Text,
        company_id -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    statements (id) {
        id -> Text,
        estate_id -> Text,
        account -> Text,
        period_from -> Date,
        period_to -> Date,
        version -> Integer,
        status -> Text,
        opening_fen -> BigInt,
        income_fen -> BigInt,
        spending_fen -> BigInt,
        costs_fen -> BigInt,
        closing_fen -> BigInt,
        line_count -> Integer,
        fingerprint -> Text,
        note -> Text,
        supersedes -> Nullable<Text>,
        correction_reason -> Nullable<Text>,
        changes -> Nullable<Text>,
        company_id -> Nullable<Text>,
        published_by -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    statement_lines (statement_id, seq) {
        statement_id -> Text,
        seq -> Integer,
        entry_id -> Text,
        kind -> Text,
        category -> Text,
        amount_fen -> BigInt,
        occurred_on -> Date,
        counterparty -> Text,
        description -> Text,
    }
}

diesel::table! {
    statement_questions (id) {
        id -> Text,
        statement_id -> Text,
        estate_id -> Text,
        owner_id -> Text,
        asked_by -> Text,
        question -> Text,
        asked_at -> Timestamp,
        answer_due -> Date,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    fund_uses (id) {
        id -> Text,
        estate_id -> Text,
        kind -> Text,
        emergency -> Nullable<Text>,
        title -> Text,
        location -> Text,
        description -> Text,
        estimate_fen -> BigInt,
        building_ids -> Text,
        status -> Text,
        basis_vote_id -> Nullable<Text>,
        applied_by -> Text,
        applied_role -> Text,
        applied_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        settled_fen -> Nullable<BigInt>,
        invoices -> Text,
        settled_by -> Nullable<Text>,
        settled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    money_settings (county_id) {
        county_id -> Text,
        settings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(statements, statement_lines, statement_questions, estates);
diesel::allow_tables_to_appear_in_same_query!(money_entries, estates);

diesel::table! {
    notices (id) {
        id -> Text,
        kind -> Text,
        county_id -> Text,
        estate_id -> Nullable<Text>,
        subject_id -> Text,
        title -> Text,
        body -> Text,
        link -> Text,
        closes_at -> Nullable<Timestamp>,
        audience -> Text,
        created_at -> Timestamp,
        available_at -> Timestamp,
        fan_cursor -> Nullable<Text>,
        fanned_out -> Bool,
        recipients -> Integer,
    }
}

diesel::table! {
    notice_inbox (id) {
        id -> Text,
        notice_id -> Text,
        addressee -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notice_reads (inbox_id, reader_id) {
        inbox_id -> Text,
        reader_id -> Text,
        read_at -> Timestamp,
    }
}

diesel::table! {
    notice_deliveries (id) {
        id -> Text,
        notice_id -> Text,
        county_id -> Text,
        channel -> Text,
        addressee -> Text,
        once_key -> Nullable<Text>,
        status -> Text,
        reason -> Nullable<Text>,
        attempts -> Integer,
        available_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        provider -> Nullable<Text>,
        provider_request_id -> Nullable<Text>,
        provider_message_id -> Nullable<Text>,
        provider_code -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        answered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notice_text_counts (county_id, day) {
        county_id -> Text,
        day -> Date,
        sent -> Integer,
    }
}

diesel::table! {
    notice_settings (county_id) {
        county_id -> Text,
        daily_text_cap -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notice_opt_outs (owner_id) {
        owner_id -> Text,
        opted_out_at -> Timestamp,
    }
}

diesel::table! {
    work_groups (addressee) {
        addressee -> Text,
        county_id -> Text,
        kind -> Text,
        url -> Text,
        secret -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    paper_notices (id) {
        id -> Text,
        notice_id -> Text,
        place -> Text,
        photos -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(notice_inbox -> notices (notice_id));
diesel::allow_tables_to_appear_in_same_query!(notices, notice_inbox, notice_reads, notice_deliveries);

diesel::table! {
    service_settings (county_id) {
        county_id -> Text,
        settings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    org_reports (id) {
        id -> Text,
        county_id -> Text,
        community_id -> Text,
        community_path -> Text,
        org_id -> Text,
        org_name -> Text,
        members -> Integer,
        reported_by -> Text,
        reported_at -> Timestamp,
    }
}

diesel::table! {
    member_reports (id) {
        id -> Text,
        county_id -> Text,
        community_id -> Text,
        community_path -> Text,
        owner_id -> Nullable<Text>,
        org_report_id -> Nullable<Text>,
        name -> Text,
        own_org_id -> Nullable<Text>,
        own_org_name -> Text,
        skills -> Text,
        availability -> Text,
        status -> Text,
        placement_org_id -> Nullable<Text>,
        estate_id -> Nullable<Text>,
        post -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decline_reason -> Nullable<Text>,
        reported_by -> Text,
        reported_at -> Timestamp,
    }
}

diesel::table! {
    member_households (member_id, unit_id) {
        member_id -> Text,
        unit_id -> Text,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    service_records (id) {
        id -> Text,
        county_id -> Text,
        community_path -> Text,
        subject -> Text,
        kind -> Text,
        source_id -> Text,
        minutes -> Integer,
        points -> BigInt,
        served_on -> Date,
        confirmed_as -> Text,
        confirmed_by -> Text,
        confirmed_at -> Timestamp,
    }
}

diesel::table! {
    stations (id) {
        id -> Text,
        county_id -> Text,
        community_id -> Text,
        community_path -> Text,
        estate_id -> Nullable<Text>,
        code -> Text,
        name -> Text,
        address -> Text,
        opening_hours -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    station_evidence (station_id, item_code) {
        station_id -> Text,
        item_code -> Text,
        note -> Text,
        attachments -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        county_id -> Text,
        community_id -> Text,
        community_path -> Text,
        station_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        place -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        cap -> Integer,
        admitted -> Integer,
        waiting -> Integer,
        checked_in -> Integer,
        next_seq -> Integer,
        status -> Text,
        created_by -> Text,
        announced_at -> Timestamp,
        cancelled_at -> Nullable<Timestamp>,
        served_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    activity_signups (id) {
        id -> Text,
        activity_id -> Text,
        owner_id -> Text,
        status -> Text,
        seq -> Integer,
        signed_at -> Timestamp,
        admitted_at -> Nullable<Timestamp>,
        checked_in_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    selections (id) {
        id -> Text,
        county_id -> Text,
        org_id -> Text,
        org_path -> Text,
        kind -> Text,
        title -> Text,
        description -> Text,
        year -> Integer,
        publicity_days -> Integer,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        shortlisted_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        decision -> Nullable<Text>,
    }
}

diesel::table! {
    selection_nominations (id) {
        id -> Text,
        selection_id -> Text,
        nominee_name -> Text,
        company_id -> Nullable<Text>,
        estate_id -> Nullable<Text>,
        reason -> Text,
        nominator_kind -> Text,
        nominator_id -> Text,
        nominated_by -> Text,
        created_at -> Timestamp,
        shortlisted -> Bool,
        disqualified -> Bool,
        winner -> Bool,
    }
}

diesel::table! {
    selection_objections (id) {
        id -> Text,
        selection_id -> Text,
        nomination_id -> Text,
        owner_id -> Text,
        signature -> Text,
        text -> Text,
        filed_by -> Text,
        filed_at -> Timestamp,
        answer_due -> Date,
        upheld -> Nullable<Bool>,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    member_reports,
    member_households,
    service_records,
    stations,
    station_evidence,
    activities,
    activity_signups,
    selections,
    selection_nominations,
    selection_objections
);
diesel::allow_tables_to_appear_in_same_query!(member_households, units);
diesel::allow_tables_to_appear_in_same_query!(activity_signups, owners);
