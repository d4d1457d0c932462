import SQLiteDB

extension Store {
    /// Ends a login's current enrolment, if it has one: the state becomes `state`
    /// (`ended` or `expired`), the secret is erased and the recovery codes deleted, so
    /// nothing can verify against it again (NIST SP 800-63B §4.4). Returns the ended
    /// enrolment's id. Call inside a write transaction.
    @discardableResult
    public func endCurrentEnrolment(loginID: Int64, state: EnrolmentState, reason: EndReason, at time: Int64) throws -> Int64? {
        precondition(!state.isCurrent, "an ended enrolment is expired or ended")
        guard let enrolmentID = try database.integer(
            "SELECT id FROM enrolments WHERE login_id = ? AND state IN ('pending', 'active')", [loginID])
        else { return nil }
        try database.run(
            """
            UPDATE enrolments SET state = ?, end_reason = ?, ended_at = ?, sealed_secret = NULL, locked_at = NULL
            WHERE id = ?
            """,
            [state.rawValue, reason.rawValue, time, enrolmentID])
        try database.run("DELETE FROM recovery_codes WHERE enrolment_id = ?", [enrolmentID])
        return enrolmentID
    }
}

extension Store {
    /// Stores an enrolment's recovery-code hashes in slots 0, 1, …
    public func insertRecoveryCodes(_ hashes: [[UInt8]], enrolmentID: Int64) throws {
        let insert = try database.cached("INSERT INTO recovery_codes (enrolment_id, slot, code_hash) VALUES (?, ?, ?)")
        for (slot, hash) in hashes.enumerated() {
            try insert.bind([enrolmentID, slot, hash])
            try insert.run()
        }
    }
}
