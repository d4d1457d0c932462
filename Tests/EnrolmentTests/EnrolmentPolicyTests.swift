import Foundation
import MFAStore
import Testing

@Suite("enrolment policy")
struct EnrolmentPolicyTests {
    static let admin: [Role] = [.organisationAdmin]
    static let clinician: [Role] = [Role("Clinician")]

    @Test("the standard policy: staff and service everywhere, patients never", arguments: [
        (Environment.live, UserType.staff, clinician, true), (.sandpit, .staff, clinician, true),
        (.live, .service, [], true), (.sandpit, .service, [], true),
        (.live, .patient, [], false), (.sandpit, .patient, [], false),
        (.live, .patient, admin, false), (.sandpit, .staff, admin, true),
    ])
    func standard(environment: Environment, userType: UserType, roles: [Role], needs: Bool) {
        #expect(EnrolmentPolicy.standard.needsMFA(environment: environment, userType: userType, roles: roles) == needs)
    }

    @Test("the Sandpit exemption example: in Sandpit only Organisation Admins", arguments: [
        (Environment.live, UserType.staff, clinician, true), (.live, .service, [], true),
        (.sandpit, .staff, clinician, false), (.sandpit, .service, [], false),
        (.sandpit, .staff, admin + clinician, true), (.sandpit, .patient, [], false),
    ])
    func sandpitExemption(environment: Environment, userType: UserType, roles: [Role], needs: Bool) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples/mfa-config-sandpit-exemption.json")
        let configuration = try Configuration.load(from: url.path)
        #expect(configuration.policy.needsMFA(environment: environment, userType: userType, roles: roles) == needs)
    }

    @Test("configuration errors name the file and the key", arguments: [
        (#"{"polcy": {}}"#, "polcy: unknown setting"),
        (#"{"digits": 9}"#, "digits: must be a whole number from 6 to 8"),
        (#"{"max_failed_attempts": 500}"#, "max_failed_attempts: must be a whole number from 1 to 100"),
        (#"{"drift_steps": true}"#, "drift_steps: must be a whole number"),
        (#"{"policy": {"staging": {}}}"#, "policy.staging: unknown environment"),
        (#"{"policy": {"sandpit": {"roles": ["Wizard"]}}}"#, "policy.sandpit.roles: unknown role 'Wizard'"),
        (#"{"policy": {"live": {"user_types": ["patient"]}}}"#, "policy.live.user_types"),
        (#"{"account_name_template": "{environment}"}"#, "must contain {username}"),
        (#"{"issuer_template": "{issuer}: {colour}"}"#, "unknown placeholder {colour}"),
        (#"{"issuer_template": "{issuer}: {environment}"}"#, "':' is not allowed"),
        ("not json", "not valid JSON"),
    ])
    func configurationErrors(json: String, message: String) {
        let error = #expect(throws: ConfigurationError.self) { try Configuration.parse(Data(json.utf8), path: "mfa.json") }
        #expect(error?.localizedDescription.hasPrefix("mfa.json: ") == true)
        #expect(error?.localizedDescription.contains(message) == true, "\(error?.localizedDescription ?? "")")
    }

    @Test(
        "templates fill every placeholder, once, and leave other text alone",
        arguments: [
            ("{issuer} {environment} {organisation} {username}", "Inhealthcare", "Inhealthcare Sandpit A81001 a@b.c"),
            ("{username} ({environment})", "Inhealthcare", "a@b.c (Sandpit)"),
            ("{issuer}: {username}", "Care {username}", "Care {username}: a@b.c"),
            ("{other} {issuer", "Inhealthcare", "{other} {issuer"),
            ("", "Inhealthcare", ""),
        ])
    func templates(template: String, issuer: String, expected: String) {
        #expect(NameTemplate.render(template, issuer: issuer, environment: .sandpit, organisation: "A81001", username: "a@b.c") == expected)
    }
}
