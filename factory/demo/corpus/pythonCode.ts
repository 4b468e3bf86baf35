// The Python demo domain: 15 errors, idioms and standard tools x {what it is, why or when, code,
// tip}. Answers are full sentences with short inline code. Original text written for loraledger.
import { domainDocuments, type Aspect, type DemoContributor, type DemoDomain, type Topic } from './demoDomain.ts';

interface PyTopic extends Topic {
  /** Errors are asked about differently ("how do I fix") from idioms and tools ("how do I use"). */
  error: boolean;
  /** As used mid-question: 'a KeyError', 'enumerate()'. */
  ref: string;
  what: string;
  why: string;
  code: string;
  tip: string;
}

const CONTRIBUTORS: readonly DemoContributor[] = [
  { name: 'Lena Fischer', address: '0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097', focus: 'errors and tracebacks' },
  { name: 'Raj Malhotra', address: '0xcd3B766CCDd6AE721141F452C550Ca635964ce71', focus: 'Python idioms' },
  { name: 'Grace Obi', address: '0x2546BcD3c84621e976D8185a91A922aE77ECEc30', focus: 'standard library and tools' },
];

const TOPICS: readonly PyTopic[] = [
  {
    owner: 0,
    error: true,
    ref: 'a KeyError',
    what: 'A KeyError means you asked a dictionary for a key that it does not contain.',
    why: 'It happens when you write `d["name"]` and "name" was never added, often because of a typo or different capitalization.',
    code: 'Use `d.get("name")` to get None instead, or check first with `if "name" in d:`.',
    tip: 'Print `d.keys()` just before the failing line to see which keys really exist.',
  },
  {
    owner: 0,
    error: true,
    ref: 'an IndexError',
    what: 'An IndexError means a list position is outside the list, such as `items[5]` on a list of three.',
    why: 'It usually comes from an off-by-one loop like `range(len(items) + 1)` or from indexing an empty list.',
    code: 'Loop with `for item in items:` instead of indexes, and check `if items:` before reading `items[0]`.',
    tip: 'The last valid index is `len(items) - 1`, and `items[-1]` gives the last item.',
  },
  {
    owner: 0,
    error: true,
    ref: 'a NoneType TypeError',
    what: 'A NoneType TypeError means you used an operation such as `[]` or `+` on a value that is None.',
    why: 'It often happens when a function has no return statement, or when you save the result of `items.sort()`, which is None.',
    code: 'Add `return result` at the end of the function, and use `sorted(items)` when you need the sorted list back.',
    tip: 'Print `type(x)` just before the failing line to see where the None came from.',
  },
  {
    owner: 0,
    error: true,
    ref: 'a ZeroDivisionError',
    what: 'A ZeroDivisionError is raised when you divide by zero or take a modulo by zero.',
    why: 'It often appears when averaging an empty list, as in `sum(xs) / len(xs)` with no items.',
    code: 'Guard the division: `avg = sum(xs) / len(xs) if xs else 0`.',
    tip: 'Decide what the result should be for empty input and write a test for that case.',
  },
  {
    owner: 0,
    error: true,
    ref: 'an IndentationError',
    what: 'An IndentationError means the spaces at the start of a line do not match the block structure.',
    why: 'It comes from mixing tabs and spaces or from forgetting to indent the body after a line that ends in a colon.',
    code: 'Indent every block with four spaces, as in `if ok:` followed by `    print("yes")` on the next line.',
    tip: 'Let your editor turn tabs into spaces and show whitespace characters.',
  },
  {
    owner: 1,
    error: false,
    ref: 'a list comprehension',
    what: 'A list comprehension builds a new list from a loop in a single expression.',
    why: 'Use it to transform or filter items instead of creating an empty list and calling append in a loop.',
    code: 'Write `squares = [n * n for n in nums if n > 0]` to keep and square the positive numbers.',
    tip: 'Keep it short; with nested loops and several conditions, a plain for loop is easier to read.',
  },
  {
    owner: 1,
    error: false,
    ref: 'enumerate()',
    what: 'The built-in `enumerate()` gives each item of a sequence together with its position.',
    why: 'Use it when a loop needs both the index and the value, instead of `range(len(items))`.',
    code: 'Write `for i, name in enumerate(names, start=1): print(i, name)` to number the names from one.',
    tip: 'Unpack the pair in the for statement rather than indexing the tuple inside the loop.',
  },
  {
    owner: 1,
    error: false,
    ref: 'zip()',
    what: 'The built-in `zip()` pairs up items from two or more sequences by position.',
    why: 'Use it to walk through related lists together, such as names and their scores.',
    code: 'Write `for name, score in zip(names, scores): print(name, score)` to print each pair.',
    tip: '`zip()` stops at the shortest sequence, so pass `strict=True` to catch lists of unequal length.',
  },
  {
    owner: 1,
    error: false,
    ref: 'sorted() with a key',
    what: 'The built-in `sorted()` returns a new sorted list and leaves the original unchanged.',
    why: 'Use the key argument to sort by a computed value, such as the length of a word or one field of a record.',
    code: 'Write `sorted(words, key=len)` to sort by length, and add `reverse=True` for the longest first.',
    tip: 'Use `key=lambda p: p["age"]` to sort a list of dictionaries by one field.',
  },
  {
    owner: 1,
    error: false,
    ref: 'a set',
    what: 'A set is an unordered collection that holds each value only once.',
    why: 'Use it to remove duplicates or to test membership quickly with `in`.',
    code: 'Write `set(items)` to drop duplicates, or `list(dict.fromkeys(items))` to drop them and keep the order.',
    tip: 'A set cannot hold lists, so turn inner lists into tuples first.',
  },
  {
    owner: 2,
    error: false,
    ref: 'the with statement',
    what: 'The with statement, as in `with open(path) as f:`, opens a file and closes it when the block ends.',
    why: 'Use it whenever you read or write files, so the file is closed even if an exception happens.',
    code: 'Write `with open("notes.txt", encoding="utf-8") as f: lines = f.read().splitlines()` to read all lines.',
    tip: 'Always pass `encoding="utf-8"` so the code behaves the same on every system.',
  },
  {
    owner: 2,
    error: false,
    ref: 'the json module',
    what: 'The json module converts between JSON text and Python dicts and lists.',
    why: 'Use it to read config files or API responses and to save simple data.',
    code: 'Use `data = json.loads(text)` to parse a string and `json.dumps(data, indent=2)` to write it back.',
    tip: 'Use `json.load(f)` with an open file and `json.loads(s)` with a string; the s stands for string.',
  },
  {
    owner: 2,
    error: false,
    ref: 'an f-string',
    what: 'An f-string is a string literal with an f prefix that fills in values inside curly braces.',
    why: 'Use it to build readable messages that mix text and variables.',
    code: 'Write `print(f"{name} scored {score:.1f} points")` to show the score with one decimal.',
    tip: 'Write `f"{total=}"` to print both the variable name and its value while debugging.',
  },
  {
    owner: 2,
    error: false,
    ref: 'a virtual environment',
    what: 'A virtual environment is a private folder of installed packages for one project.',
    why: 'Use one per project so that package versions of different projects do not clash.',
    code: 'Run `python -m venv .venv`, then `source .venv/bin/activate`, then `pip install requests`.',
    tip: 'Record versions with `pip freeze > requirements.txt` and never commit the .venv folder.',
  },
  {
    owner: 2,
    error: false,
    ref: 'try and except',
    what: 'A try and except block runs code and catches a named exception if it is raised.',
    why: 'Use it around operations that can fail for outside reasons, such as parsing input or opening files.',
    code: 'Write `try: n = int(text)` and then `except ValueError: n = 0` to fall back to zero.',
    tip: 'Catch the specific exception, not a bare except, so real bugs still show a traceback.',
  },
];

const by = (t: PyTopic, error: readonly string[], other: readonly string[]) => (t.error ? error : other);

const ASPECTS: readonly Aspect<PyTopic>[] = [
  {
    questions: (t) => [`What is ${t.ref} in Python?`, `What does ${t.ref} mean?`, `Can you explain ${t.ref}?`],
    answer: (t) => t.what,
  },
  {
    questions: (t) =>
      by(
        t,
        [`Why do I get ${t.ref}?`, `What causes ${t.ref}?`, `Where does ${t.ref} come from in my code?`],
        [`When should I use ${t.ref}?`, `Why would I use ${t.ref}?`, `What is ${t.ref} good for?`],
      ),
    answer: (t) => t.why,
  },
  {
    questions: (t) =>
      by(
        t,
        [`How do I fix ${t.ref}?`, `How can I avoid ${t.ref}?`, `What code prevents ${t.ref}?`],
        [`How do I use ${t.ref}?`, `Can you show an example of ${t.ref}?`, `What does code with ${t.ref} look like?`],
      ),
    answer: (t) => t.code,
  },
  {
    questions: (t) =>
      by(
        t,
        [
          `How do I debug ${t.ref}?`,
          `Any tips for tracking down ${t.ref}?`,
          `What should I check when I see ${t.ref}?`,
        ],
        [`What is a good tip for ${t.ref}?`, `What mistakes do people make with ${t.ref}?`, `Any advice on ${t.ref}?`],
      ),
    answer: (t) => t.tip,
  },
];

/** The Python domain (adapter 'python-code', DataNet 'python-snippets'). */
export function pythonCodeDomain(): DemoDomain {
  const { documents, heldOut } = domainDocuments({
    prefix: 'py',
    topics: TOPICS,
    aspects: ASPECTS,
    explanations: [(t) => `${t.what} ${t.why}`, (t) => `${t.code} ${t.tip}`],
    heldOutExplanation: (t) => `${t.what} ${t.code}`,
    contributors: CONTRIBUTORS,
  });
  return {
    id: 'python-code',
    datanet: 'python-snippets',
    datanetDescription:
      'Python answers and snippets: common errors and their fixes, idioms, the standard library and tools.',
    description:
      'Python programming assistant: writes and debugs Python code and scripts, functions, classes and methods, loops, lists, tuples, strings, dictionaries and sets, exceptions, errors and tracebacks, modules and the __main__ guard, pip packages, files, JSON, CSV, generators, lambda and unit tests with pytest.',
    tags: [
      'python',
      'code',
      'programming',
      'script',
      'function',
      'class',
      'method',
      'object',
      'loop',
      'list',
      'tuple',
      'string',
      'dictionary',
      'integer',
      'module',
      'pip',
      'install',
      'exception',
      'error',
      'traceback',
      'debugging',
      'pytest',
      'recursion',
      'lambda',
      'generator',
      'yield',
      'csv',
      'json',
      'requests',
      'datetime',
    ],
    owner: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
    contributors: CONTRIBUTORS,
    documents,
    heldOut,
    routingQuestions: [
      'Why does my loop print the last element twice?',
      'How do I read a CSV file into a list of rows?',
      "My script says 'module not found' after pip install, why?",
      'How do I reverse a string?',
      'What is the difference between a tuple and a list?',
      'How do I write a unit test with pytest?',
      'Why is my recursive function hitting the recursion limit?',
      'How can I merge two dictionaries?',
      'How do I convert a string to an integer safely?',
      'What does the self parameter do in a class method?',
      'How do I install packages listed in a requirements file?',
      'Why am I getting an AttributeError on my object?',
      'How do I strip whitespace from the ends of a string?',
      'What is a lambda and when is it useful?',
      'How do I count how often each word appears in a string?',
      'How do I get the current date and time in Python?',
      'My traceback points to line 12, how do I read it?',
      'How do I make an HTTP request with the requests library?',
      'What is the difference between == and is in Python?',
      'How do I split a long function into smaller ones?',
      'How can I speed up a slow loop over a million items?',
      'What does `if __name__ == "__main__":` do?',
      'How do I write a generator with yield?',
      'How do I catch two exceptions in one except block?',
      'Why does changing a list inside a function change it outside?',
    ],
  };
}
