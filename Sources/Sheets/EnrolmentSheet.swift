import Foundation
import OTP

/// What one person's set-up sheet shows. Holds the secret and the recovery codes:
/// render it, and let it go.
public struct EnrolmentSheet: Sendable {
    public var organisation: String
    /// As people read it: `Live`, `Sandpit`.
    public var environment: String
    public var isLive: Bool
    public var displayName: String
    public var username: String
    public var uri: OTPAuthURI
    public var recoveryCodes: [String]
    /// `2026-11-29`
    public var issuedOn: String

    public init(
        organisation: String, environment: String, isLive: Bool, displayName: String, username: String, uri: OTPAuthURI,
        recoveryCodes: [String], issuedOn: String
    ) {
        self.organisation = organisation
        self.environment = environment
        self.isLive = isLive
        self.displayName = displayName
        self.username = username
        self.uri = uri
        self.recoveryCodes = recoveryCodes
        self.issuedOn = issuedOn
    }

    /// The secret as typed into an app: groups of four.
    public var groupedSecret: String { Base32.grouped(Base32.encode(uri.secret)) }

    /// Draws the sheet on one A4 page.
    public func draw(on canvas: Canvas, qrCode: QRCode) {
        let width = PDFPages.pageWidth
        let margin = 48.0
        var y = 0.0

        if !isLive {
            // Unmistakable on paper and at a glance: a watermark across the page and a band.
            canvas.rotatedText(
                environment.uppercased(), x: width / 2, y: PDFPages.pageHeight / 2 + 60, angle: -.pi / 5, size: 110,
                font: .bold, colour: .watermark)
            canvas.fillRectangle(x: 0, y: 0, width: width, height: 64, colour: .warning)
            canvas.centredText(
                "\(environment.uppercased()) — NOT FOR LIVE PATIENT CARE", centreX: width / 2, y: 42, size: 22, font: .bold,
                colour: .white)
        } else {
            canvas.fillRectangle(x: 0, y: 0, width: width, height: 64, colour: .live)
            canvas.centredText("LIVE ENVIRONMENT", centreX: width / 2, y: 42, size: 22, font: .bold, colour: .white)
        }
        y = 100
        canvas.text("Multi-factor authentication set-up", x: margin, y: y, size: 20, font: .bold)
        y += 28
        canvas.fittedText(displayName, x: margin, y: y, size: 16, maxWidth: width - 2 * margin, font: .bold)
        y += 20
        let details: [(String, String)] = [
            ("Username", username), ("Organisation", organisation), ("Environment", environment), ("Issued", issuedOn),
        ]
        for (label, value) in details {
            canvas.text(label, x: margin, y: y, size: 10.5, colour: .grey)
            canvas.fittedText(value, x: margin + 90, y: y, size: 10.5, maxWidth: width - 2 * margin - 90, font: .bold)
            y += 15
        }

        // The QR code, and what to type when it cannot be scanned.
        y += 10
        let qrSide = 190.0
        canvas.qrCode(qrCode, x: margin - 10, y: y, side: qrSide)
        let right = margin + qrSide + 10
        var ry = y + 22
        canvas.text("Scan with Microsoft Authenticator", x: right, y: ry, size: 11, font: .bold)
        ry += 15
        canvas.text("(or Google Authenticator).", x: right, y: ry, size: 11)
        ry += 26
        canvas.text("Cannot scan? Add the account manually:", x: right, y: ry, size: 10.5, colour: .grey)
        ry += 20
        canvas.text("Key", x: right, y: ry, size: 10, colour: .grey)
        canvas.fittedText(groupedSecret, x: right + 58, y: ry, size: 12.5, maxWidth: width - margin - right - 58, font: .monospace)
        ry += 18
        canvas.text("Issuer", x: right, y: ry, size: 10, colour: .grey)
        canvas.fittedText(uri.issuer, x: right + 58, y: ry, size: 10.5, maxWidth: width - margin - right - 58, font: .bold)
        ry += 16
        canvas.text("Account", x: right, y: ry, size: 10, colour: .grey)
        canvas.fittedText(uri.accountName, x: right + 58, y: ry, size: 10.5, maxWidth: width - margin - right - 58, font: .bold)
        ry += 16
        canvas.text("Type", x: right, y: ry, size: 10, colour: .grey)
        canvas.text("Time based, \(uri.digits) digits, every \(uri.period) seconds", x: right + 58, y: ry, size: 10.5)
        y += qrSide + 16

        // Recovery codes, two columns.
        canvas.text("Recovery codes", x: margin, y: y, size: 13, font: .bold)
        y += 15
        canvas.text("For emergencies only, when the app is unavailable. Each code works once.", x: margin, y: y, size: 9.5, colour: .grey)
        y += 8
        let boxHeight = Double((recoveryCodes.count + 1) / 2) * 20 + 14
        canvas.strokeRectangle(x: margin, y: y, width: width - 2 * margin, height: boxHeight, colour: .grey)
        for (index, code) in recoveryCodes.enumerated() {
            let column = Double(index % 2)
            let row = Double(index / 2)
            let x = margin + 24 + column * (width - 2 * margin) / 2
            let codeY = y + 24 + row * 20
            canvas.strokeRectangle(x: x - 14, y: codeY - 9, width: 9, height: 9, colour: .grey, lineWidth: 0.6)
            canvas.text(code, x: x, y: codeY, size: 13, font: .monospace)
        }
        y += boxHeight + 26

        canvas.text("Setting up", x: margin, y: y, size: 13, font: .bold)
        y += 17
        let steps = [
            "Install Microsoft Authenticator from the App Store or Google Play on the phone you will always have with you.",
            "Open the \(environment) login page, enter your username and password, and stop at the QR code screen.",
            "In the app, tap + (top right), choose Other (Google, Facebook, etc.) and allow camera access.",
            "Scan the QR code on this sheet. The account appears as \(uri.issuer) — \(uri.accountName).",
            "Type the 6-digit code the app shows into the login page and click Verify Code and Activate.",
            "Keep this sheet's recovery codes somewhere safe. A new code appears in the app every 30 seconds.",
        ]
        for (number, step) in steps.enumerated() {
            canvas.text("\(number + 1).", x: margin, y: y, size: 9.5, font: .bold)
            for line in Self.wrap(step, width: 98) {
                canvas.text(line, x: margin + 16, y: y, size: 9.5)
                y += 12.5
            }
            y += 2
        }
        y += 6
        canvas.text(
            "Lost your phone or used all codes? Ask your Organisation Administrator to Reset MFA enrolment.", x: margin, y: y,
            size: 9.5, colour: .grey)
        canvas.text(
            "This sheet contains secrets. Keep it private; shred it once you are set up.", x: margin,
            y: PDFPages.pageHeight - 30, size: 9, font: .bold, colour: .warning)
    }

    /// Splits `text` into lines of at most `width` characters at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
