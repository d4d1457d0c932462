import Foundation

/// Google's Key Uri Format: `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…`.
///
/// The issuer goes both into the label prefix (older apps read only that) and into the
/// `issuer` parameter. `algorithm`, `digits` and `period` are written only when they
/// differ from the defaults, since some apps mishandle them.
public struct OTPAuthURI: Equatable, Sendable {
    public enum Kind: String, Sendable { case totp, hotp }

    public var kind: Kind
    public var issuer: String
    public var accountName: String
    public var secret: [UInt8]
    public var algorithm: OTPAlgorithm
    public var digits: Int
    public var period: Int
    /// The HOTP counter; ignored for TOTP.
    public var counter: UInt64

    public init(
        kind: Kind = .totp, issuer: String, accountName: String, secret: [UInt8],
        algorithm: OTPAlgorithm = .sha1, digits: Int = 6, period: Int = 30, counter: UInt64 = 0
    ) {
        self.kind = kind
        self.issuer = issuer
        self.accountName = accountName
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
        self.counter = counter
    }

    /// Refuses names an app would split or show wrongly.
    public static func validateLabel(issuer: String, accountName: String) throws(OTPError) {
        guard !issuer.isEmpty else { throw .emptyLabel(field: "issuer") }
        guard !accountName.isEmpty else { throw .emptyLabel(field: "account name") }
        guard !issuer.contains(":") else { throw .colonInLabel(field: "issuer", value: issuer) }
        guard !accountName.contains(":") else { throw .colonInLabel(field: "account name", value: accountName) }
    }

    public func uri() throws(OTPError) -> String {
        try Self.validateLabel(issuer: issuer, accountName: accountName)
        guard !secret.isEmpty else { throw .emptySecret }
        let encodedIssuer = Self.percentEncode(issuer)
        var uri = "otpauth://\(kind.rawValue)/\(encodedIssuer):\(Self.percentEncode(accountName))"
        uri += "?secret=\(Base32.encode(secret))&issuer=\(encodedIssuer)"
        if algorithm != .sha1 { uri += "&algorithm=\(algorithm.uriName)" }
        if digits != 6 { uri += "&digits=\(digits)" }
        switch kind {
        case .totp: if period != 30 { uri += "&period=\(period)" }
        case .hotp: uri += "&counter=\(counter)"
        }
        return uri
    }

    public init(parsing text: String) throws(OTPError) {
        let schemePrefix = "otpauth://"
        guard text.lowercased().hasPrefix(schemePrefix) else { throw .invalidURI("it does not start with otpauth://") }
        let rest = text.dropFirst(schemePrefix.count)
        guard let slash = rest.firstIndex(of: "/") else { throw .invalidURI("no label after the type") }
        guard let kind = Kind(rawValue: rest[..<slash].lowercased()) else {
            throw .invalidURI("unknown type '\(rest[..<slash])'; expected totp or hotp")
        }
        let afterType = rest[rest.index(after: slash)...]
        let labelPart = afterType.prefix { $0 != "?" }
        let queryPart = afterType.dropFirst(labelPart.count).dropFirst()

        guard let label = Self.percentDecode(labelPart) else { throw .invalidURI("the label is not valid percent-encoded UTF-8") }
        var parameters = [String: String]()
        for pair in queryPart.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.percentDecode(parts[0]), let value = Self.percentDecode(parts.count > 1 ? parts[1] : "") else {
                throw .invalidURI("parameter '\(pair)' is not valid percent-encoded UTF-8")
            }
            guard parameters[name.lowercased()] == nil else { throw .invalidURI("parameter '\(name)' appears twice") }
            parameters[name.lowercased()] = value
        }

        let labelIssuer: String?
        let accountName: String
        if let colon = label.firstIndex(of: ":") {
            labelIssuer = String(label[..<colon])
            accountName = label[label.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        } else {
            labelIssuer = nil
            accountName = label
        }
        let parameterIssuer = parameters["issuer"]
        if let labelIssuer, let parameterIssuer, labelIssuer != parameterIssuer {
            throw .issuerMismatch(prefix: labelIssuer, parameter: parameterIssuer)
        }
        guard let secretText = parameters["secret"] else { throw .invalidURI("no secret parameter") }

        self.kind = kind
        self.issuer = parameterIssuer ?? labelIssuer ?? ""
        self.accountName = accountName
        self.secret = try Base32.decode(secretText)
        self.algorithm = try parameters["algorithm"].map { name throws(OTPError) in try OTPAlgorithm(parsing: name) } ?? .sha1
        self.digits = try Self.integer(parameters["digits"], name: "digits") ?? 6
        self.period = try Self.integer(parameters["period"], name: "period") ?? 30
        if kind == .hotp {
            guard let counterText = parameters["counter"], let counter = UInt64(counterText) else {
                throw .invalidURI("an hotp URI needs a numeric counter parameter")
            }
            self.counter = counter
        } else {
            self.counter = 0
        }
        try Self.validateLabel(issuer: issuer, accountName: accountName)
        guard HOTP.supportedDigits.contains(digits) else { throw .unsupportedDigits(digits) }
        guard TOTP.supportedPeriods.contains(period) else { throw .unsupportedPeriod(period) }
    }

    private static func integer(_ text: String?, name: String) throws(OTPError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw .invalidURI("\(name) '\(text)' is not a number") }
        return value
    }

    /// RFC 3986: everything but the unreserved characters is percent-encoded as UTF-8,
    /// so `+`, `&`, `#`, `/`, `@`, apostrophes and accents survive every app's parser.
    public static func percentEncode(_ text: String) -> String {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count * 3)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; nil for a broken escape or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes = [UInt8]()
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
