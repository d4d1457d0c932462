import Commands
import CommandSupport

@main
struct Entrypoint {
    static func main() {
        CommandRunner.main(ReportCommand.self)
    }
}
