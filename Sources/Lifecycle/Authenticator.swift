import Foundation
import MFAStore
import OTP
import SQLiteDB

/// What a sign-in attempt came to.
public struct SignInResult: Sendable, Encodable {
    public var accepted: Bool
    /// The first correct code turned a pending enrolment active.
    public var activated = false
    /// Recovery codes left after a redemption.
    public var recoveryCodesLeft: Int?
    public var refusal: String?
    public var message: String?

    public init(accepted: Bool, activated: Bool = false, recoveryCodesLeft: Int? = nil, refusal: String? = nil, message: String? = nil) {
        self.accepted = accepted
        self.activated = activated
        self.recoveryCodesLeft = recoveryCodesLeft
        self.refusal = refusal
        self.message = message
    }
}

/// Checks codes for the platform's login flow: TOTP codes and recovery codes, with
/// replay protection and a failure limit shared by every process using the store.
public struct Authenticator {
    let store: Store
    let configuration: Configuration
    private var database: Database { store.database }

    /// Sign-ins commit with `synchronous = NORMAL`: in WAL mode a commit then survives a
    /// crash of the process but not of the machine, and is several times faster than
    /// waiting for the disk on every code. Losing the last instants of sign-in state to
    /// a power cut at worst lets a code be used once more within its 30 s window.
    public init(store: Store, configuration: Configuration) throws {
        self.store = store
        self.configuration = configuration
        try store.database.execute("PRAGMA synchronous = NORMAL")
    }

    /// Checks a TOTP code. The whole check runs in one write transaction, and the
    /// accepting update itself requires a later step than the last one accepted, so of
    /// two processes verifying the same code exactly one succeeds.
    public func verify(_ reference: LoginReference, code: String, app: String?) throws -> SignInResult {
        // A refusal is committed (its failure count and event must stay) before it is thrown.
        try database.inTransaction(.immediate) { () throws -> Result<SignInResult, Refusal> in
            let now = store.now
            let login: LoginRecordRow, enrolment: LoginRecordRow.EnrolmentRow
            switch try usableEnrolment(reference, app: app, kind: "verification", at: now) {
            case .success(let usable): (login, enrolment) = usable
            case .failure(let refusal): return .failure(refusal)
            }
            let secret = try store.vault.openSecret(enrolment.sealedSecret, enrolmentID: enrolment.id)
            let totp = try TOTP(
                secret: secret, algorithm: try OTPAlgorithm(parsing: enrolment.algorithm), digits: enrolment.digits,
                period: enrolment.period)
            let typed = String(code.filter { !$0.isWhitespace })
            guard let step = try totp.matchingStep(for: typed, at: now, window: configuration.driftSteps) else {
                return .failure(try fail(reference, login: login, enrolment: enrolment, refusal: nil, app: app, kind: "verification", at: now))
            }
            guard Int64(step) > enrolment.lastStep else {
                return .failure(try fail(reference, login: login, enrolment: enrolment, refusal: .codeAlreadyUsed, app: app, kind: "verification", at: now))
            }
            try database.run(
                """
                UPDATE enrolments
                SET last_step = ?1, failed_attempts = 0, state = 'active', activated_at = coalesce(activated_at, ?2),
                    last_used_at = ?2, last_used_app = ?3
                WHERE id = ?4 AND last_step < ?1 AND locked_at IS NULL AND state IN ('pending', 'active')
                """, [Int64(step), now, app, enrolment.id])
            guard database.changes == 1 else {
                return .failure(try fail(reference, login: login, enrolment: enrolment, refusal: .codeAlreadyUsed, app: app, kind: "verification", at: now))
            }
            let activated = enrolment.state == .pending
            if activated {
                try record("enrolment.activated", reference, login: login, enrolment: enrolment.id, app: app, at: now)
            }
            try record("verification.succeeded", reference, login: login, enrolment: enrolment.id, app: app, at: now)
            return .success(SignInResult(accepted: true, activated: activated))
        }.get()
    }

    /// Uses a recovery code: each works once, in any order; typed case and separators
    /// do not matter. Every stored hash is checked, so the time taken does not say
    /// which code (if any) was close.
    public func redeem(_ reference: LoginReference, code: String, app: String?) throws -> SignInResult {
        try database.inTransaction(.immediate) { () throws -> Result<SignInResult, Refusal> in
            let now = store.now
            let login: LoginRecordRow, enrolment: LoginRecordRow.EnrolmentRow
            switch try usableEnrolment(reference, app: app, kind: "recovery_code", at: now) {
            case .success(let usable): (login, enrolment) = usable
            case .failure(let refusal): return .failure(refusal)
            }
            let codes = try database.row(
                """
                SELECT recovery_codes, recovery_codes_issued, (SELECT count(*) FROM recovery_code_uses WHERE enrolment_id = e.id)
                FROM enrolments e WHERE id = ?
                """, [enrolment.id]
            ) { (set: $0.optionalBlob(0) ?? [], issued: $0.int(1), used: $0.int(2)) }
            guard let codes, codes.used < codes.issued else {
                return .failure(try refuse(.noRecoveryCodesLeft, reference, login: login, enrolment: enrolment.id, app: app, kind: "recovery_code", at: now))
            }
            guard let slot = try store.vault.recoveryCodeHasher().slot(matching: code, in: codes.set) else {
                return .failure(try fail(reference, login: login, enrolment: enrolment, refusal: nil, app: app, kind: "recovery_code", at: now))
            }
            try database.run(
                "INSERT INTO recovery_code_uses (enrolment_id, slot, used_at, used_app) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [enrolment.id, slot, now, app])
            guard database.changes == 1 else {
                return .failure(try fail(reference, login: login, enrolment: enrolment, refusal: .codeAlreadyUsed, app: app, kind: "recovery_code", at: now))
            }
            try database.run(
                "UPDATE enrolments SET failed_attempts = 0, last_used_at = ?, last_used_app = ? WHERE id = ?", [now, app, enrolment.id])
            let left = codes.issued - codes.used - 1
            try record("recovery_code.redeemed", reference, login: login, enrolment: enrolment.id, app: app, at: now, detail: ["remaining": .integer(Int64(left))])
            return .success(
                SignInResult(
                    accepted: true, recoveryCodesLeft: left,
                    message: left == 0 ? "that was the last recovery code; an Organisation Admin must reset the enrolment to get new ones" : nil))
        }.get()
    }

    /// The login's current enrolment, if it may be used at all; otherwise the refusal,
    /// recorded.
    private func usableEnrolment(
        _ reference: LoginReference, app: String?, kind: String, at now: Int64
    ) throws -> Result<(LoginRecordRow, LoginRecordRow.EnrolmentRow), Refusal> {
        guard let login = try LoginRecordRow.load(reference, in: database) else {
            return .failure(try refuse(.noSuchLogin(reference.description), reference, login: nil, enrolment: nil, app: app, kind: kind, at: now))
        }
        guard login.status == .active else {
            return .failure(try refuse(.loginDeleted(reference.description), reference, login: login, enrolment: nil, app: app, kind: kind, at: now))
        }
        guard let enrolment = login.enrolment else {
            return .failure(try refuse(.noEnrolment(reference.description), reference, login: login, enrolment: nil, app: app, kind: kind, at: now))
        }
        guard enrolment.lockedAt == nil else {
            return .failure(
                try refuse(
                    .locked(reference.description, failures: enrolment.failedAttempts), reference, login: login,
                    enrolment: enrolment.id, app: app, kind: kind, at: now))
        }
        return .success((login, enrolment))
    }

    /// Counts a failed attempt (locking the enrolment at the limit) and returns the refusal.
    private func fail(
        _ reference: LoginReference, login: LoginRecordRow, enrolment: LoginRecordRow.EnrolmentRow, refusal: Refusal?,
        app: String?, kind: String, at now: Int64
    ) throws -> Refusal {
        let failures = enrolment.failedAttempts + 1
        let limit = configuration.maxFailedAttempts
        try database.run(
            "UPDATE enrolments SET failed_attempts = ?, locked_at = CASE WHEN ? >= ? THEN ? ELSE locked_at END WHERE id = ?",
            [failures, failures, limit, now, enrolment.id])
        let reason = refusal ?? .wrongCode(attemptsLeft: max(0, limit - failures))
        _ = try refuse(reason, reference, login: login, enrolment: enrolment.id, app: app, kind: kind, at: now, failures: failures)
        if failures >= limit {
            try record("enrolment.locked", reference, login: login, enrolment: enrolment.id, app: app, at: now, detail: ["failures": .integer(Int64(failures))])
            return .locked(reference.description, failures: failures)
        }
        return reason
    }

    /// Records a refusal and hands it back for throwing.
    private func refuse(
        _ refusal: Refusal, _ reference: LoginReference, login: LoginRecordRow?, enrolment: Int64?, app: String?, kind: String,
        at now: Int64, failures: Int? = nil
    ) throws -> Refusal {
        var detail: EventDetail = ["reason": .text(refusal.code)]
        if let failures { detail["failures"] = .integer(Int64(failures)) }
        try store.record(
            Event(
                kind: "\(kind).failed", actor: "mfa-admin", outcome: .refused, organisation: reference.organisation,
                environment: reference.environment, username: reference.username, loginID: login?.loginID, enrolmentID: enrolment,
                app: app, detail: detail),
            at: now)
        return refusal
    }

    private func record(
        _ kind: String, _ reference: LoginReference, login: LoginRecordRow, enrolment: Int64, app: String?, at now: Int64,
        detail: EventDetail = [:]
    ) throws {
        try store.record(
            Event(
                kind: kind, actor: "mfa-admin", organisation: reference.organisation, environment: reference.environment,
                username: reference.username, loginID: login.loginID, enrolmentID: enrolment, app: app, detail: detail),
            at: now)
    }
}
