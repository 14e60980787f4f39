"""Docstrings give a tool its description and its parameters theirs."""

import unittest

from tandem.docstrings import parse_docstring


class GoogleDocstringTest(unittest.TestCase):
    def test_summary_is_the_first_paragraph_on_one_line(self) -> None:
        doc = parse_docstring(
            """Fetch a page
            and summarise it.

            More detail that stays out of the description.
            """
        )
        self.assertEqual(doc.summary, "Fetch a page and summarise it.")

    def test_args_with_types_and_continuations(self) -> None:
        doc = parse_docstring(
            """Summary.

            Args:
                url (str): The page
                    to fetch.
                depth: How deep.

            Returns:
                text: Not a parameter.
            """
        )
        self.assertEqual(doc.params, {"url": "The page to fetch.", "depth": "How deep."})

    def test_section_right_after_summary_ends_it(self) -> None:
        doc = parse_docstring("Do it.\nArgs:\n    x: The x.")
        self.assertEqual(doc.summary, "Do it.")
        self.assertEqual(doc.params, {"x": "The x."})

    def test_empty_docstring(self) -> None:
        self.assertIsNone(parse_docstring(None).summary)
        self.assertEqual(parse_docstring("   ").params, {})


if __name__ == "__main__":
    unittest.main()
