// Master password strength with zxcvbn-ts (dictionaries, keyboard patterns, dates, l33t), loaded on first use
// so the dictionaries stay out of the login path.
export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  feedback: string;
}

type Checker = (password: string, userInputs: string[]) => Strength;
let checker: Promise<Checker> | null = null;

const LABELS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'];

function load(): Promise<Checker> {
  checker ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(([core, common, en]) => {
    const zxcvbn = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return (password, userInputs) => {
      const result = zxcvbn.check(password, userInputs);
      const feedback = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
      return { score: result.score, label: LABELS[result.score]!, feedback };
    };
  });
  return checker;
}

export async function passwordStrength(password: string, userInputs: string[] = []): Promise<Strength> {
  return (await load())(password, userInputs);
}
