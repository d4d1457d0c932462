import SQLiteDB

extension Store {
    /// Ends a login's current enrolment, if it has one: the state becomes `state`
    /// (`ended` or `expired`), and the secret and the recovery codes are erased, so
    /// nothing can verify against it again (NIST SP 800-63B §4.4). Returns the ended
    /// enrolment's id. Call inside a write transaction.
    @discardableResult
    public func endCurrentEnrolment(loginID: Int64, state: EnrolmentState, reason: EndReason, at time: Int64) throws -> Int64? {
        precondition(!state.isCurrent, "an ended enrolment is expired or ended")
        guard let enrolmentID = try database.integer(
            "SELECT id FROM enrolments WHERE login_id = ? AND state IN ('pending', 'active')", [loginID])
        else { return nil }
        try database.run(
            "UPDATE enrolments SET \(Self.endingAssignments) WHERE id = ?",
            [state.rawValue, reason.rawValue, time, enrolmentID])
        return enrolmentID
    }

    /// The assignments that end an enrolment, for the state, reason and time bound in that
    /// order: one definition of what ending erases.
    public static let endingAssignments =
        "state = ?, end_reason = ?, ended_at = ?, sealed_secret = NULL, recovery_codes = NULL, locked_at = NULL"

    /// Gives a pending enrolment a new set of recovery codes; the old codes and the record
    /// of their use go.
    public func replaceRecoveryCodes(_ set: [UInt8], count: Int, enrolmentID: Int64) throws {
        try database.run("UPDATE enrolments SET recovery_codes = ?, recovery_codes_issued = ? WHERE id = ?", [set, count, enrolmentID])
        try database.run("DELETE FROM recovery_code_uses WHERE enrolment_id = ?", [enrolmentID])
    }
}
