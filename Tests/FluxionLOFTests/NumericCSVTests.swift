import Foundation
import Testing

@testable import FluxionLOF

/// The headerless numeric CSV reader behind `fluxion lof score`: what it accepts and the
/// exact, one-line errors it gives (file and 1-based line named).
@Suite struct NumericCSVTests {
    @Test func parsesRowsSkippingBlankLinesAndCarriageReturns() throws {
        let m = try NumericCSV.parse("1,2.5\r\n-3e2, 4\n\n  \n5,6\n", source: "a.csv")
        #expect(m.count == 3 && m.dimension == 2)
        #expect(m.values == [1, 2.5, -300, 4, 5, 6])
    }

    @Test func roundTripPrecisionIsKept() throws {
        let m = try NumericCSV.parse("-1.0491858725268082,0.41422340600071905", source: "x")
        #expect(m.values == [-1.0491858725268082, 0.41422340600071905])
    }

    @Test func raggedRowNamesFileAndLine() {
        #expect(throws: NumericCSVError.raggedRow(source: "t.csv", line: 3, expected: 2, found: 3)) {
            try NumericCSV.parse("1,2\n3,4\n5,6,7\n", source: "t.csv")
        }
        #expect(
            NumericCSVError.raggedRow(source: "t.csv", line: 3, expected: 2, found: 3).description
                == "t.csv:3: ragged row: 3 fields, expected 2")
    }

    @Test func nonNumbersAreRefused() {
        #expect(throws: NumericCSVError.notANumber(source: "t.csv", line: 2, column: 2, text: "abc")) {
            try NumericCSV.parse("1,2\n3,abc\n", source: "t.csv")
        }
        #expect(throws: NumericCSVError.notANumber(source: "t.csv", line: 1, column: 2, text: "")) {
            try NumericCSV.parse("1,\n", source: "t.csv")
        }
        #expect(throws: NumericCSVError.notANumber(source: "t.csv", line: 1, column: 1, text: "nan")) {
            try NumericCSV.parse("nan,1\n", source: "t.csv")
        }
        #expect(throws: NumericCSVError.notANumber(source: "h.csv", line: 1, column: 1, text: "x")) {
            try NumericCSV.parse("x,y\n1,2\n", source: "h.csv")  // a header is not data
        }
    }

    @Test func emptyInput() {
        #expect(throws: NumericCSVError.empty(source: "e.csv")) { try NumericCSV.parse("\n\n", source: "e.csv") }
    }

    @Test func missingFile() {
        #expect(throws: NumericCSVError.unreadable(path: "/nonexistent/t.csv", reason: "no such file")) {
            try NumericCSV.read(path: "/nonexistent/t.csv")
        }
        #expect(
            NumericCSVError.unreadable(path: "/nonexistent/t.csv", reason: "no such file").description
                == "/nonexistent/t.csv: cannot read: no such file")
    }
}
