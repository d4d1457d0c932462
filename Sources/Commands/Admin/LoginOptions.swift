import ArgumentParser
import Lifecycle
import MFAStore

/// Which login a command is about: organisation, environment and username.
struct LoginOptions: ParsableArguments {
    @Option(name: .customLong("org"), help: ArgumentHelp("The login's organisation code.", valueName: "code"))
    var organisation: String

    @Option(name: .customLong("env"), help: ArgumentHelp("The login's environment: Live or Sandpit.", valueName: "environment"))
    var environment: String

    @Option(name: .customLong("user"), help: ArgumentHelp("The login's username.", valueName: "username"))
    var username: String

    func validate() throws {
        if Environment(parsing: environment) == nil {
            throw ValidationError("--env '\(environment)' is not an environment; use Live or Sandpit")
        }
    }

    var reference: LoginReference {
        LoginReference(organisation: organisation, environment: Environment(parsing: environment) ?? .live, username: username)
    }
}

/// Where a sign-in happens: one of the platform's clinical apps, or free text.
struct AppOption: ParsableArguments {
    static let knownApps = ["IHDA-SA", "IHDA-GP", "IHMA", "Reporting dashboard", "Portal", "Organisation data", "Toolkit"]

    @Option(help: ArgumentHelp("The app the login happens in: \(AppOption.knownApps.joined(separator: ", ")), or other text.", valueName: "app"))
    var app: String?

    /// Known apps in their canonical spelling, whatever case was typed.
    var canonical: String? {
        guard let app else { return nil }
        return Self.knownApps.first { $0.lowercased() == app.lowercased() } ?? app
    }
}
