// A small, varied English corpus (original text written for loraledger) that the embedded demo's
// byte-level BPE tokenizer is trained on. Domains match the demo adapters and the router tests:
// everyday prose, dermatology, contract law, cooking, Python code, plus chat-style turns.
// Changing this text changes the embedded tokenizer: bump EMBEDDED_DEFAULT_VERSION with it.

export const EMBEDDED_CORPUS = String.raw`
The quick brown fox jumps over the lazy dog. A small boat drifted across the quiet lake at dawn.
Once upon a time, a little girl named Lily found a shiny red ball in the park. She wanted to share it
with her friend Tom, so they played together until the sun went down. Tom said, "Thank you, Lily!"
The weather today is sunny with a light breeze, and tomorrow it will rain in the afternoon.
Please remember to water the plants, feed the cat, and lock the door before you leave the house.
People often ask how long it takes to learn something new. The honest answer is that it depends on
practice, patience, and the questions you ask along the way.

Dermatology is the branch of medicine that studies the skin, hair and nails. A rash is an area of
irritated or swollen skin; it can be red, itchy, scaly, or blistered. Common causes of a rash include
contact dermatitis, eczema, psoriasis, hives, fungal infections and allergic reactions to medication.
Eczema (atopic dermatitis) makes the skin dry, itchy and inflamed, and it often flares in winter.
Psoriasis causes thick, silvery scales and red patches on the elbows, knees and scalp.
Acne appears when hair follicles are clogged with oil and dead skin cells; it causes pimples,
blackheads and whiteheads on the face, chest and back. Sunburn, moles, warts and skin cancer are
other frequent reasons to see a dermatologist. A mole that changes shape, color or size should be
checked: doctors use the ABCDE rule, asymmetry, border, color, diameter and evolving.
What does this rash indicate? A ring-shaped rash with a clear center may suggest a fungal infection
such as ringworm, while a rash with fever needs prompt medical attention. Apply a gentle moisturizer,
avoid harsh soaps, and use sunscreen with SPF 30 or higher. Topical corticosteroid creams reduce
itching and inflammation. Ask a doctor before treating a child or a rash that spreads quickly.
Symptoms, diagnosis, treatment, skin lesions, dermatitis, itching, redness, swelling, allergy.

A contract is a legally binding agreement between two or more parties. To be enforceable it needs an
offer, acceptance, consideration, capacity and a lawful purpose. The parties should read every clause
carefully before they sign. An indemnification clause says which party pays for losses, damages and
legal fees if a claim is brought. A limitation of liability clause caps the damages one party can
recover. The term of this agreement begins on the effective date and continues for twelve months,
unless terminated earlier by either party with thirty days' written notice. A breach of contract
happens when a party fails to perform its obligations; the other party may seek damages, specific
performance or termination. Confidential information shall not be disclosed to any third party
without prior written consent. This agreement shall be governed by the laws of the State of New York.
Is this non-compete clause enforceable? Courts look at its duration, geographic scope and whether it
protects a legitimate business interest. Landlords, tenants, employers and employees all sign contracts:
leases, employment agreements, licenses, warranties and service level agreements.
Liability, plaintiff, defendant, court, statute, lawsuit, attorney, settlement, arbitration, clause.

To make a simple tomato sauce, heat two tablespoons of olive oil in a pan over medium heat. Add one
chopped onion and cook for five minutes until soft, then add three cloves of garlic. Pour in a can of
crushed tomatoes, season with salt, pepper and a pinch of sugar, and simmer for twenty minutes.
Stir in fresh basil before serving with pasta. To bake bread, mix flour, water, yeast and salt, knead
the dough for ten minutes, let it rise for an hour, shape it and bake at 220 degrees for thirty minutes.
How long should I roast a chicken? Roast it at 200 degrees Celsius for about twenty minutes per pound,
until the juices run clear. Whisk eggs with milk for fluffy pancakes; fry them in butter until golden.
Recipes use cups, teaspoons, grams and ounces. Marinate, saute, grill, braise, boil, steam and season.
Vegetables such as carrots, potatoes, peppers and spinach add flavor and color to a stew or a soup.
Cooking, baking, kitchen, oven, recipe, ingredients, dinner, lunch, breakfast, dessert, chocolate cake.

def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        if not self.items:
            raise IndexError("pop from empty stack")
        return self.items.pop()

import json
with open("data.json") as f:
    data = json.load(f)
print(f"loaded {len(data)} records")
numbers = [x * x for x in range(10) if x % 2 == 0]
Why does my Python function return None? A function without a return statement returns None. Use a
list comprehension, a dictionary, a loop or a generator; catch exceptions with try and except; write
unit tests with pytest; install packages with pip; format code with black; read the traceback.
Python, code, function, variable, list, dict, string, integer, class, module, import, error, debug.

Interest rates, inflation, stocks and bonds move markets; a budget tracks income and expenses.
The train leaves at 9:45 and arrives at 12:30. The meeting is on Monday, March 3rd, in room 204.
Numbers: 0 1 2 3 4 5 6 7 8 9 10 12 15 20 25 30 42 50 64 100 128 256 512 1000 1024 2048 2026.
Punctuation matters: commas, periods; colons: quotes "like this", parentheses (like these), and dashes.

Science explains the world through careful observation and experiment. Water boils at one hundred
degrees Celsius at sea level, light travels faster than sound, and plants turn sunlight into sugar.
Astronomers measure distant galaxies; biologists study cells, genes and proteins; chemists mix
elements into molecules. History remembers kingdoms, revolutions, inventions and explorers who
crossed oceans and mountains. Music, painting, poetry and theater express feelings words cannot.
Good software engineering values simple designs, clear names, small functions and honest tests.
When a server responds slowly, profile it before you optimize: measure latency, throughput and
memory. Databases store tables of rows; queries select, insert, update and delete them. Networks
send packets between computers; encryption keeps messages private; backups protect against loss.
Healthy habits include sleeping eight hours, drinking water, walking every day, and eating fruit.
Patients with persistent headaches, chest pain, shortness of breath or sudden weakness should call
emergency services. Nurses, pharmacists and physicians review prescriptions, dosage and side effects.
Hair loss, dandruff, nail fungus, rosacea, vitiligo and melanoma are also treated by dermatologists.
Tenants may withdraw a deposit dispute; an arbitrator decides; a judge interprets ambiguous wording.
Grandmother's apple pie needs butter, cinnamon, brown sugar, lemon juice and a flaky golden crust.
Sourdough starter, fermentation, caramelize onions, deglaze the pan, reduce the sauce, plate neatly.
for i, line in enumerate(lines): print(i, line.strip()) ; return sorted(items, key=lambda x: x[1])
async def fetch(url): response = await client.get(url); response.raise_for_status(); return data

user: Hello! Can you help me?
assistant: Of course. What would you like to know?
user: Summarize this paragraph in one sentence.
assistant: Here is a short summary of the main idea.
user: Thanks, that was helpful.
assistant: You're welcome! Let me know if you have any other questions.
`;
