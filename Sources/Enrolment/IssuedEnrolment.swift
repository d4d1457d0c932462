import MFAStore
import OTP
import Sheets

/// A pending enrolment whose sheet is about to be printed: the only moment the secret
/// and the recovery codes exist in plain text outside the store.
public struct IssuedEnrolment: Sendable {
    public var enrolmentID: Int64
    public var loginID: Int64
    public var organisation: String
    public var environment: Environment
    public var username: String
    public var displayName: String
    public var uri: OTPAuthURI
    public var recoveryCodes: [String]

    func sheet(issuedOn: String) -> EnrolmentSheet {
        EnrolmentSheet(
            organisation: organisation, environment: environment.displayName, isLive: environment == .live,
            displayName: displayName, username: username, uri: uri, recoveryCodes: recoveryCodes, issuedOn: issuedOn)
    }
}

/// A login that needs MFA and has no current enrolment.
public struct Candidate: Sendable, Encodable {
    public var loginID: Int64
    public var organisation: String
    public var environment: Environment
    public var username: String
    public var displayName: String

    public init(loginID: Int64, organisation: String, environment: Environment, username: String, displayName: String) {
        self.loginID = loginID
        self.organisation = organisation
        self.environment = environment
        self.username = username
        self.displayName = displayName
    }
}
