import CNcurses
import Foundation
import GovernanceAPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one file that calls ncurses. Draws only changed cells, in runs of one style; maps theme colours
/// to the nearest the terminal has (256, 16 or 8 colours, or none).
public final class NcursesBackend: TerminalBackend {
    private var started = false
    private var monochrome: Bool
    /// A colour pair per (foreground role, background role) drawn so far.
    private var pairs: [PairKey: Int32] = [:]
    private var roleBold: [ThemeRole: Bool] = [:]
    private var theme = Theme.fallback

    private struct PairKey: Hashable {
        let fg: ThemeRole
        let bg: ThemeRole?
    }
    private let ascii: Bool

    public init(monochrome: Bool, ascii: Bool) {
        self.monochrome = monochrome
        self.ascii = ascii
    }

    public func start() throws {
        setlocale(LC_ALL, "")
        setenv("ESCDELAY", "25", 0)
        // A dumb terminal cannot move the cursor; draw as a vt100 would, in ASCII and without colour.
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" { setenv("TERM", "vt100", 1) }
        guard initscr() != nil else { throw ConsoleError.terminal("cannot initialise the terminal; is TERM set?") }
        started = true
        cbreak()
        noecho()
        nonl()
        keypad(gc_stdscr(), true)
        nodelay(gc_stdscr(), true)
        curs_set(0)
        mousemask(mmask_t(gc_all_mouse_events()), nil)
        mouseinterval(0)
        if has_colors() && !monochrome {
            start_color()
            use_default_colors()
        } else {
            monochrome = true
        }
        NcursesBackend.installSignalHandlers()
    }

    public func stop() {
        guard started else { return }
        started = false
        endwin()
    }

    public func attach(wakeWrite: Int32) { NcursesBackend.wakeWriteFD.store(wakeWrite, ordering: .releasing) }
    public var interrupted: Bool { NcursesBackend.interrupted.load(ordering: .acquiring) }

    public var size: (width: Int, height: Int) { (Int(getmaxx(gc_stdscr())), Int(getmaxy(gc_stdscr()))) }

    public func wait(milliseconds: Int, wakeFD: Int32) {
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 2, Int32(max(0, milliseconds)))
        // The terminal went away (its window closed, its tmux server died): leave, do not spin.
        if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { NcursesBackend.interrupted.store(true, ordering: .releasing) }
    }

    public func readInputs() -> [ConsoleMessage] {
        var out: [ConsoleMessage] = []
        var ch: wint_t = 0
        while true {
            let kind = get_wch(&ch)
            if kind == ERR { break }
            if kind == KEY_CODE_YES {
                switch Int32(ch) {
                case KEY_UP: out.append(.key(.up))
                case KEY_DOWN: out.append(.key(.down))
                case KEY_LEFT: out.append(.key(.left))
                case KEY_RIGHT: out.append(.key(.right))
                case KEY_PPAGE: out.append(.key(.pageUp))
                case KEY_NPAGE: out.append(.key(.pageDown))
                case KEY_HOME: out.append(.key(.home))
                case KEY_END: out.append(.key(.end))
                case KEY_BTAB: out.append(.key(.backTab))
                case KEY_BACKSPACE: out.append(.key(.backspace))
                case KEY_ENTER: out.append(.key(.enter))
                case KEY_RESIZE: out.append(.resize(width: size.width, height: size.height))
                case KEY_MOUSE:
                    var event = MEVENT()
                    if getmouse(&event) == OK, event.bstate & mmask_t(gc_button1_pressed() | gc_button1_clicked()) != 0 {
                        out.append(.click(x: Int(event.x), y: Int(event.y)))
                    }
                default: break
                }
                continue
            }
            switch ch {
            case 9: out.append(.key(.tab))
            case 10, 13: out.append(.key(.enter))
            case 27: out.append(.key(.escape))
            case 8, 127: out.append(.key(.backspace))
            case 3: NcursesBackend.interrupted.store(true, ordering: .releasing)   // Ctrl-C while in raw input
            default:
                if let scalar = Unicode.Scalar(UInt32(ch)), ch >= 32 { out.append(.key(.char(Character(scalar)))) }
            }
        }
        return out
    }

    public func apply(theme: Theme) {
        self.theme = theme
        pairs = [:]
        roleBold = Dictionary(uniqueKeysWithValues: ThemeRole.allCases.map { ($0, theme.style($0).bold) })
    }

    /// The pair for a role's foreground on another role's background (its `on` colour, or, when it has
    /// none, its foreground), allocated the first time it is drawn.
    private func pair(_ fg: ThemeRole, _ bg: ThemeRole?) -> Int32? {
        guard !monochrome, !theme.monochrome else { return nil }
        let key = PairKey(fg: fg, bg: bg)
        if let p = pairs[key] { return p }
        let colors = Int(gc_colors())
        guard pairs.count + 1 < Int(gc_color_pairs()) else { return nil }
        let back: ThemeColor
        if let bg {
            let b = theme.style(bg)
            back = b.bg == .terminalDefault ? b.fg : b.bg
        } else {
            back = theme.style(fg).bg
        }
        let n = Int32(pairs.count + 1)
        init_pair(Int16(n), Int16(NcursesBackend.nearest(theme.style(fg).fg, colors: colors)), Int16(NcursesBackend.nearest(back, colors: colors)))
        pairs[key] = n
        return n
    }

    public func draw(_ buffer: ScreenBuffer, previous: ScreenBuffer?, theme: Theme) {
        let same = previous.map { $0.width == buffer.width && $0.height == buffer.height } ?? false
        if !same { clear() }
        for y in 0..<buffer.height {
            var x = 0
            while x < buffer.width {
                // A wide character's second cell is drawn with its first.
                guard !buffer[x, y].continuation, !same || previous![x, y] != buffer[x, y] else { x += 1; continue }
                // A run of changed cells in one style goes out in one call. A wide character ends its run,
                // and the next run is placed explicitly, so a terminal that measures a character
                // differently cannot shift the rest of the row.
                let style = buffer[x, y].style
                var run = ""
                var end = x
                while end < buffer.width, !buffer[end, y].continuation, buffer[end, y].style == style,
                      !same || previous![end, y] != buffer[end, y] {
                    run += NcursesBackend.drawable(buffer[end, y].char)
                    end += 1
                    if end < buffer.width, buffer[end, y].continuation { end += 1; break }
                }
                attrset(attributes(style))
                // The bottom-right cell cannot be written without scrolling on some terminals.
                if y == buffer.height - 1 && end == buffer.width { run.removeLast() }
                mvaddstr(Int32(y), Int32(x), run)
                x = end
            }
        }
        refresh()
    }

    /// What ncurses gets for a cell: its first scalar and the zero-width ones joined to it. A grapheme of
    /// several spacing characters (a ZWJ sequence, a flag) would take more cells than the one it was given.
    /// A control character set into a cell directly, past `put`'s escaping, is drawn as `?`.
    static func drawable(_ ch: Character) -> String {
        if let first = ch.unicodeScalars.first, TerminalText.needsEscape(first) { return "?" }
        var out = String.UnicodeScalarView()
        for (i, scalar) in ch.unicodeScalars.enumerated() {
            if i > 0, DisplayWidth.columns(scalar) != 0 { break }
            out.append(scalar)
        }
        return String(out)
    }

    private func attributes(_ style: Style) -> Int32 {
        var a = Int32(gc_attr_normal())
        if let p = pair(style.fg, style.bg) { a |= Int32(gc_color_pair(p)) }
        if style.bold || roleBold[style.fg] == true { a |= Int32(gc_attr_bold()) }
        if style.reverse || (monochrome && style.bg != nil) { a |= Int32(gc_attr_reverse()) }
        return a
    }

    // MARK: Colours

    /// The terminal colour nearest to `c` among the `colors` it has; -1 for the terminal's default.
    static func nearest(_ c: ThemeColor, colors: Int) -> Int {
        switch c {
        case .terminalDefault: return -1
        case let .ansi(i):
            // Below 16 colours, a bright colour becomes the nearest of the eight, not its dark twin.
            return colors >= 16 || i < 8 ? i : nearest(.rgb(xterm(i).0, xterm(i).1, xterm(i).2), colors: colors)
        case let .index(i): return colors >= 256 ? i : nearest(.rgb(xterm(i).0, xterm(i).1, xterm(i).2), colors: colors)
        case let .rgb(r, g, b):
            // In 256 colours the first 16 are the user's palette, so exact colours come from the fixed cube and ramp.
            let candidates = colors >= 256 ? Array(16..<256) : Array(0..<min(16, max(8, colors)))
            return candidates.min { distance(xterm($0), (r, g, b)) < distance(xterm($1), (r, g, b)) } ?? -1
        }
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let (dr, dg, db) = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    /// The RGB value of an xterm-256 colour index.
    static func xterm(_ i: Int) -> (Int, Int, Int) {
        let base: [(Int, Int, Int)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                                       (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
        if i < 16 { return base[i] }
        if i < 232 {
            let v = i - 16, steps = [0, 95, 135, 175, 215, 255]
            return (steps[v / 36], steps[(v / 6) % 6], steps[v % 6])
        }
        let g = 8 + (i - 232) * 10
        return (g, g, g)
    }

    // MARK: Signals

    /// Set by SIGINT, SIGTERM or SIGHUP; the loop sees it, leaves, and restores the terminal.
    /// Lock-free atomics, so a signal handler may touch them.
    static let interrupted = Atomic<Bool>(false)
    static let wakeWriteFD = Atomic<Int32>(-1)

    static func installSignalHandlers() {
        // Initialised here, before a handler can run: a first use inside one would run their lazy set-up there.
        _ = interrupted.load(ordering: .relaxed)
        _ = wakeWriteFD.load(ordering: .relaxed)
        let handler: @convention(c) (Int32) -> Void = { _ in
            NcursesBackend.interrupted.store(true, ordering: .releasing)
            var byte: UInt8 = 0x51
            let fd = NcursesBackend.wakeWriteFD.load(ordering: .acquiring)
            if fd >= 0 { _ = write(fd, &byte, 1) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGHUP, handler)
    }
}

public enum ConsoleError: Error, CustomStringConvertible {
    case terminal(String)
    public var description: String {
        switch self {
        case let .terminal(text): text
        }
    }
}
