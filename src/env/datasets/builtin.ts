/**
 * The built-in data sets' entries (Node-free, so the task registry and the console can read
 * them without the file reader in registry.ts): the files in `datasets/` and their shapes.
 */
export interface BuiltinDatasetInfo {
  id: string;
  title: string;
  /** File in the `datasets/` folder (gzipped, bytes as shipped by scikit-learn, recompressed). */
  file: string;
  headerless?: boolean;
  classNames?: readonly string[];
  /** Shape, checked against the file by the tests (so /tasks can describe a set without reading it). */
  nRows: number;
  nFeatures: number;
  nClasses: number;
  source: string;
}

export const BUILTIN_DATASETS: readonly BuiltinDatasetInfo[] = Object.freeze([
  {
    id: 'iris',
    title: 'Iris (Fisher 1936)',
    file: 'iris.csv.gz',
    nRows: 150,
    nFeatures: 4,
    nClasses: 3,
    source: "UCI ML Repository 'Iris' (R. A. Fisher, 1936), scikit-learn's copy",
  },
  {
    id: 'wine',
    title: 'Wine recognition',
    file: 'wine_data.csv.gz',
    nRows: 178,
    nFeatures: 13,
    nClasses: 3,
    source: "UCI ML Repository 'Wine' (M. Forina et al.), scikit-learn's copy",
  },
  {
    id: 'breast-cancer',
    title: 'Breast Cancer Wisconsin (Diagnostic)',
    file: 'breast_cancer.csv.gz',
    nRows: 569,
    nFeatures: 30,
    nClasses: 2,
    source: "UCI ML Repository 'Breast Cancer Wisconsin (Diagnostic)' (W. H. Wolberg, W. N. Street, O. L. Mangasarian, 1995), scikit-learn's copy",
  },
  {
    id: 'digits',
    title: 'Optical recognition of handwritten digits (8×8)',
    file: 'digits.csv.gz',
    headerless: true,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    nRows: 1797,
    nFeatures: 64,
    nClasses: 10,
    source: "UCI ML Repository 'Optical Recognition of Handwritten Digits' test set (E. Alpaydin, C. Kaynak, 1998), scikit-learn's copy",
  },
]);

export const BUILTIN_DATASET_IDS: readonly string[] = BUILTIN_DATASETS.map((d) => d.id);

