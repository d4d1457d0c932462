import Foundation

/// Why a login was not let in, or an action not taken, in words a support person can
/// act on. None of them says how close a guess was.
public enum Refusal: Error, Equatable, Sendable {
    case noSuchLogin(String)
    case loginDeleted(String)
    case noEnrolment(String)
    case locked(String, failures: Int)
    case wrongCode(attemptsLeft: Int)
    case codeAlreadyUsed
    case noRecoveryCodesLeft
    case notAuthorised(String)

    public var code: String {
        switch self {
        case .noSuchLogin: "no-such-login"
        case .loginDeleted: "login-deleted"
        case .noEnrolment: "no-enrolment"
        case .locked: "enrolment-locked"
        case .wrongCode: "wrong-code"
        case .codeAlreadyUsed: "code-already-used"
        case .noRecoveryCodesLeft: "no-recovery-codes-left"
        case .notAuthorised: "not-authorised"
        }
    }
}

extension Refusal: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .noSuchLogin(login):
            "refused: there is no login \(login); check the organisation, environment and username"
        case let .loginDeleted(login):
            "refused: the login \(login) is deleted; a new login needs a new MFA enrolment"
        case let .noEnrolment(login):
            "refused: \(login) has no MFA enrolment; enrol it with mfa-enrol (or an Organisation Admin reset)"
        case let .locked(login, failures):
            "refused: the enrolment of \(login) is locked after \(failures) failed attempts; an Organisation Admin must reset it"
        case let .wrongCode(attemptsLeft):
            "refused: wrong code; check the phone's clock and enter the code shown now (\(attemptsLeft) attempts left before the enrolment locks)"
        case .codeAlreadyUsed:
            "refused: that code has already been used; wait for the next one"
        case .noRecoveryCodesLeft:
            "refused: no recovery codes are left; an Organisation Admin must reset the enrolment"
        case let .notAuthorised(reason):
            "refused: not authorised: \(reason)"
        }
    }
}
